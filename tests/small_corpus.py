"""A small, hand-annotated fixture: three real papers of the sample corpus with the mentions a careful
reader finds in them, written by hand (not by the pipeline), so that graph, store, query and view
tests have exact expected answers that do not move when the NLP changes.

``python tests/small_corpus.py`` rewrites ``tests/data/small.trig`` and ``tests/data/small.ttl``;
``tests/test_graph.py`` checks that they stay in sync with this file.
"""
from __future__ import annotations

import re
from pathlib import Path

from kg.records import CodeLink, Extraction, Mention, Paper

PASS = Paper(
    title="PASS: An ImageNet replacement for self-supervised pretraining without humans",
    abstract=(
        "Computer vision has long relied on ImageNet and other large datasets of images sampled from the Internet "
        "for pretraining models. However, these datasets have ethical and technical shortcomings, such as containing "
        "personal information taken without consent, unclear license usage, biases, and, in some cases, even "
        "problematic image content. On the other hand, state-of-the-art pretraining is nowadays obtained with "
        "unsupervised methods, meaning that labelled datasets such as ImageNet may not be necessary, or perhaps not "
        "even optimal, for model pretraining. We thus propose an unlabelled dataset PASS: Pictures without humAns for "
        "Self-Supervision. PASS only contains images with CC-BY license and complete attribution metadata, addressing "
        "the copyright issue. Most importantly, it contains no images of people at all, and also avoids other types "
        "of images that are problematic for data protection or ethics. We show that PASS can be used for pretraining "
        "with methods such as MoCo-v2, SwAV and DINO. In the transfer learning setting, it yields similar downstream "
        "performances to ImageNet pretraining even on tasks that involve humans, such as human pose estimation. PASS "
        "does not make existing datasets obsolete, as for instance it is insufficient for benchmarking. However, it "
        "shows that model pretraining is often possible while using safer data, and it also provides the basis for a "
        "more robust evaluation of pretraining methods."
    ),
    source="kg/data/daily-papers/000_0a1d169aa50074e0.txt",
    line=13,
)

DMAE = Paper(
    title="Masked Autoencoders Enable Efficient Knowledge Distillers",
    abstract=(
        "This paper studies the potential of distilling knowledge from pre-trained models, especially Masked "
        "Autoencoders. Our approach is simple: in addition to optimizing the pixel reconstruction loss on masked "
        "inputs, we minimize the distance between the intermediate feature map of the teacher model and that of the "
        "student model. This design leads to a computationally efficient knowledge distillation framework, given 1) "
        "only a small visible subset of patches is used, and 2) the (cumbersome) teacher model only needs to be "
        "partially executed, ie, forward propagate inputs through the first few layers, for obtaining intermediate "
        "feature maps. Compared to directly distilling fine-tuned models, distilling pre-trained models substantially "
        "improves downstream performance. For example, by distilling the knowledge from an MAE pre-trained ViT-L into "
        "a ViT-B, our method achieves 84.0% ImageNet top-1 accuracy, outperforming the baseline of directly "
        "distilling a fine-tuned ViT-L by 1.2%. More intriguingly, our method can robustly distill knowledge from "
        "teacher models even with extremely high masking ratios: e.g., with 95% masking ratio where merely TEN "
        "patches are visible during distillation, our ViT-B competitively attains a top-1 ImageNet accuracy of "
        "83.6%; surprisingly, it can still secure 82.4% top-1 ImageNet accuracy by aggressively training with just "
        "FOUR visible patches (98% masking ratio). The code and models are publicly available at "
        "https://github.com/UCSC-VLAA/DMAE."
    ),
    source="kg/data/daily-papers/000_0a1d169aa50074e0.txt",
    line=93,
)

SWIN = Paper(
    title="Swin Transformer: Hierarchical Vision Transformer using Shifted Windows",
    abstract=(
        "This paper presents a new vision Transformer, called Swin Transformer, that capably serves as a "
        "general-purpose backbone for computer vision. Challenges in adapting Transformer from language to vision "
        "arise from differences between the two domains, such as large variations in the scale of visual entities "
        "and the high resolution of pixels in images compared to words in text. To address these differences, we "
        "propose a hierarchical Transformer whose representation is computed with Shifted windows. The shifted "
        "windowing scheme brings greater efficiency by limiting self-attention computation to non-overlapping local "
        "windows while also allowing for cross-window connection. This hierarchical architecture has the "
        "flexibility to model at various scales and has linear computational complexity with respect to image size. "
        "These qualities of Swin Transformer make it compatible with a broad range of vision tasks, including image "
        "classification (87.3 top-1 accuracy on ImageNet-1K) and dense prediction tasks such as object detection "
        "(58.7 box AP and 51.1 mask AP on COCO test-dev) and semantic segmentation (53.5 mIoU on ADE20K val). Its "
        "performance surpasses the previous state-of-the-art by a large margin of +2.7 box AP and +2.6 mask AP on "
        "COCO, and +3.2 mIoU on ADE20K, demonstrating the potential of Transformer-based models as vision backbones. "
        "The hierarchical design and the shifted window approach also prove beneficial for all-MLP architectures. "
        "The code and models are publicly available at~https://github.com/microsoft/Swin-Transformer."
    ),
    source="kg/data/daily-papers/000_0a1d169aa50074e0.txt",
    line=453,
)

PAPERS = (PASS, DMAE, SWIN)


def _sentence(text: str, start: int) -> tuple[str, int]:
    """The sentence around ``start``: the title line, or a span of the abstract between '. ' boundaries."""
    if start < text.index("\n"):
        return text[: text.index("\n")], 0
    lo = max(text.rfind(". ", 0, start) + 2, text.index("\n") + 1)
    hi = text.find(". ", start)
    hi = len(text) if hi < 0 else hi + 1
    return text[lo:hi], lo


def m(paper: Paper, surface: str, label: str, role: str | None = None, *, nth: int = 0, relation: str | None = None,
      canonical: str | None = None, aliases: tuple[str, ...] = (), component: str = "fixture",
      confidence: float = 0.9) -> Mention:
    """The ``nth`` occurrence (whole word) of ``surface`` in the paper's text, as a Mention."""
    hits = [h.start() for h in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", paper.text)]
    start = hits[nth]
    sentence, sent_start = _sentence(paper.text, start)
    return Mention(surface, label, start, start + len(surface), sentence, sent_start, component, confidence,
                   role=role, relation=relation, canonical=canonical, aliases=aliases)


def code(paper: Paper, url: str) -> CodeLink:
    start = paper.text.index(url)
    sentence, sent_start = _sentence(paper.text, start)
    return CodeLink(url, start, start + len(url), sentence, sent_start)


def extractions() -> list[Extraction]:
    return [
        Extraction(PASS, (
            m(PASS, "PASS", "DATASET", "proposed", aliases=("Pictures without humAns for Self-Supervision",)),
            m(PASS, "ImageNet", "DATASET", "used", canonical="ImageNet"),
            m(PASS, "ImageNet", "DATASET", "used", nth=1, canonical="ImageNet"),
            m(PASS, "MoCo-v2", "METHOD", "used", canonical="MoCo v2", confidence=0.8),
            m(PASS, "SwAV", "METHOD", "used", canonical="SwAV"),
            m(PASS, "DINO", "METHOD", "used", canonical="DINO", confidence=0.7),
            m(PASS, "self-supervised pretraining", "METHOD", "used", canonical="self-supervised learning",
              confidence=0.6),
            m(PASS, "transfer learning", "METHOD", "used", canonical="transfer learning"),
            m(PASS, "human pose estimation", "TASK", canonical="human pose estimation"),
        )),
        Extraction(DMAE, (
            m(DMAE, "Masked Autoencoders", "METHOD", "used", canonical="Masked Autoencoders", aliases=("MAE",)),
            m(DMAE, "MAE", "METHOD", "used", canonical="Masked Autoencoders"),
            m(DMAE, "knowledge distillation", "METHOD", "used", canonical="knowledge distillation"),
            m(DMAE, "ViT-L", "ARCHITECTURE", "used", canonical="ViT-L"),
            m(DMAE, "ViT-B", "ARCHITECTURE", "used", canonical="ViT-B"),
            m(DMAE, "ImageNet", "DATASET", "used", relation="evaluatesOn", canonical="ImageNet"),
            m(DMAE, "top-1 accuracy", "METRIC", canonical="top-1 accuracy"),
            m(DMAE, "top-1 ImageNet accuracy", "METRIC", canonical="top-1 accuracy", confidence=0.6),
        ), (code(DMAE, "https://github.com/UCSC-VLAA/DMAE"),)),
        Extraction(SWIN, (
            m(SWIN, "Swin Transformer", "ARCHITECTURE", "proposed", nth=1),
            m(SWIN, "Swin Transformer", "ARCHITECTURE", "proposed", nth=2),
            m(SWIN, "Transformer", "ARCHITECTURE", "used", nth=2, canonical="Transformer"),
            m(SWIN, "self-attention", "METHOD", "used", canonical="self-attention"),
            m(SWIN, "image classification", "TASK", canonical="image classification"),
            m(SWIN, "object detection", "TASK", canonical="object detection"),
            m(SWIN, "semantic segmentation", "TASK", canonical="semantic segmentation"),
            m(SWIN, "ImageNet-1K", "DATASET", "used", relation="evaluatesOn", canonical="ImageNet-1K"),
            m(SWIN, "COCO", "DATASET", "used", relation="evaluatesOn", canonical="COCO"),
            m(SWIN, "ADE20K", "DATASET", "used", relation="evaluatesOn", canonical="ADE20K"),
            m(SWIN, "top-1 accuracy", "METRIC", canonical="top-1 accuracy"),
            m(SWIN, "mIoU", "METRIC", canonical="mIoU"),
            m(SWIN, "AP", "METRIC", canonical="AP", confidence=0.5),
        ), (code(SWIN, "https://github.com/microsoft/Swin-Transformer"),)),
    ]


def dataset(exs=None):
    """The rdflib Dataset of ``exs`` (default: the fixture's extractions), linked in memory (kg.link.link)."""
    from kg.export import to_rdflib

    return to_rdflib(store_of(exs))


def store_of(exs=None):
    """An in-memory store of ``exs`` (default: the fixture's extractions), linked in memory (kg.link.link)."""
    from kg.graph import linked_quads
    from kg.link import link
    from kg.store import BulkLoader, Store

    linked = link(extractions() if exs is None else exs)
    store = Store.in_memory(None)
    with BulkLoader(store) as loader:
        loader.add(linked_quads(linked.papers, linked.entities.values()))
    return store


def union(exs=None):
    """The union graph (rdflib) of ``exs``: what graph.ttl holds."""
    from kg.export import union_graph

    return union_graph(dataset(exs))


if __name__ == "__main__":
    from kg.export import union_graph

    here = Path(__file__).parent / "data"
    ds = dataset()
    (here / "small.trig").write_text(ds.serialize(format="trig"), encoding="utf-8")
    (here / "small.ttl").write_text(union_graph(ds).serialize(format="turtle"), encoding="utf-8")
    print("wrote", here / "small.trig", here / "small.ttl")
