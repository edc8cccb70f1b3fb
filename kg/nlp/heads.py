"""Typing a name from its head word or the words around it (pure functions, no spaCy).

"Distribution Matching Distillation" ends in "Distillation": a Method; "Multi-Resolution network"
ends in "network": an Architecture; "GeneCIS: A Benchmark for ..." calls itself a benchmark: a Dataset.

>>> type_from_head("Time-Dependent Layer Normalization")
'METHOD'
>>> type_from_phrase("a new large-scale benchmark for retrieval")
'DATASET'
"""
from __future__ import annotations

import re

#: head word (lower case, singular) -> entity label. The last word of a name decides its type.
HEAD_LABELS: dict[str, str] = {}
for _label, _words in {
    "ARCHITECTURE": """network net model transformer former encoder decoder autoencoder backbone architecture
        perceptron convnet cnn rnn lstm gan vae mlp tokenizer mixer unet u-net vit llm vlm mllm machine
        field fields captioner detector generator discriminator classifier""",
    "METHOD": """learning distillation training pretraining pre-training fine-tuning finetuning tuning optimization
        optimisation optimizer search normalization normalisation attention regularization augmentation
        sampling sampler guidance loss objective algorithm method framework approach strategy technique
        mechanism scheme pruning quantization adaptation inference descent decoding matching pooling dropout
        embedding encoding coupling convolution merging clustering propagation aggregation alignment prompting
        reinforcement programming library toolkit toolbox package pipeline paradigm procedure policy
        initialization initialisation parameterization scaling compression solver regression estimator
        modeling modelling distiller flow flows scan scanning masking projection interpolation fusion
        routing gating module layer block operator kernel""",
    "DATASET": """dataset datasets benchmark benchmarks corpus corpora suite bench collection database
        challenge testbed set""",
    "METRIC": """score distance accuracy error rate ratio metric divergence index measure precision recall
        similarity fidelity""",
    "TASK": """classification detection segmentation recognition generation retrieval estimation captioning
        answering synthesis prediction translation reconstruction tracking forecasting understanding
        reasoning editing completion localization localisation summarization verification
        identification re-identification inpainting super-resolution""",
}.items():
    for _w in _words.split():
        HEAD_LABELS[_w] = _label

#: Name endings that type a coined name on their own ("UniRepLKNet", "PoolFormer", "EfficientLLM-Bench").
SUFFIX_LABELS: tuple[tuple[str, str], ...] = (
    ("Net", "ARCHITECTURE"), ("net", "ARCHITECTURE"), ("Former", "ARCHITECTURE"), ("former", "ARCHITECTURE"),
    ("ViT", "ARCHITECTURE"), ("GAN", "ARCHITECTURE"), ("BERT", "ARCHITECTURE"), ("GPT", "ARCHITECTURE"),
    ("Mamba", "ARCHITECTURE"), ("LLM", "ARCHITECTURE"), ("Diffusion", "ARCHITECTURE"), ("Mixer", "ARCHITECTURE"),
    ("Bench", "DATASET"), ("bench", "DATASET"), ("Set", "DATASET"), ("QA", "DATASET"),
    ("Score", "METRIC"),
)

_WORD = re.compile(r"[A-Za-z][A-Za-z\-]*")


def _singular(word: str) -> str:
    w = word.lower()
    if w in HEAD_LABELS:
        return w
    if w.endswith("ies") and w[:-3] + "y" in HEAD_LABELS:
        return w[:-3] + "y"
    if w.endswith("s") and w[:-1] in HEAD_LABELS:
        return w[:-1]
    if "-" in w:  # "Large-Kernel ConvNet", "one-step sampler": look at the last part of a compound
        return _singular(w.rsplit("-", 1)[1]) if w.rsplit("-", 1)[1] else w
    return w


def type_from_head(name: str) -> str | None:
    """The label a name's last word implies, or None.

    >>> type_from_head("deep neural networks")
    'ARCHITECTURE'
    """
    words = _WORD.findall(name)
    if not words:
        return None
    return HEAD_LABELS.get(_singular(words[-1]))


def type_from_suffix(name: str) -> str | None:
    """The label a coined name's ending implies ("UniRepLKNet" -> ARCHITECTURE), or None.

    >>> type_from_suffix("GeneCIS"), type_from_suffix("PoolFormer")
    (None, 'ARCHITECTURE')
    """
    last = name.replace("-", " ").split()[-1] if name.strip() else ""
    for suffix, label in SUFFIX_LABELS:
        if last.endswith(suffix) and last != suffix.lower():
            return label
    return None


#: Words that end the noun phrase a description opens with ("a benchmark FOR ...").
_PHRASE_STOP = {"for", "of", "with", "in", "via", "to", "on", "by", "from", "that", "which", "where", "and", "or",
                "using", "based", "through", "towards", "toward", "at", "as", "without", "than", "into", "is", "are"}


def type_from_phrase(phrase: str) -> str | None:
    """The label of the noun phrase ``phrase`` opens with, from the last typed word before a preposition.

    Used on appositions ("SOLO, a single transformer for ...") and title rests
    ("GeneCIS: A Benchmark for General Conditional Image Similarity").

    >>> type_from_phrase("A Universal Perception Large-Kernel ConvNet for Audio")
    'ARCHITECTURE'
    >>> type_from_phrase("Training Smaller One-Step Diffusion Models with Rectified Flow")
    'METHOD'
    """
    words = [w for w in re.split(r"[\s,]+", phrase.strip()) if w]
    if not words:
        return None
    if words[0].endswith("ing") and words[0][0].isupper():
        return "METHOD"  # a title rest that opens with a gerund ("Training ...", "Scaling ...") names a procedure
    found = None
    for w in words:
        clean = w.strip(".;:()\"'")
        if clean.lower() in _PHRASE_STOP:
            break
        label = HEAD_LABELS.get(_singular(clean))
        if label:
            found = label
    return found


# --- task phrases --------------------------------------------------------------------------------------------
#: Words that cannot modify a task head inside its name: determiners, verbs, evaluative adjectives
#: ("the", "improves", "downstream", "efficient"); a phrase keeps only the words after the last of them.
_TASK_STOP = set("""a an the our their its his her this that these those for of in on to and or with by as at from
    into via is are was were be been being can could may might will would should do does did not no only even also
    than then so such both all any each every either more most less least many much few several various different
    multiple other another same own new novel further better best improved strong stronger superior competitive
    significant overall final effective efficient accurate robust fast faster simple powerful general generic common
    standard popular existing previous prior recent current conventional traditional typical challenging difficult
    diverse complex real-world large-scale small-scale high-quality state-of-the-art sota downstream upstream
    including like e.g. i.e. which where while when whose what how why we it they them there here
    perform performs performing achieve achieves achieving improve improves improving enable enables enabling
    boost boosts boosting support supports supporting address addresses addressing tackle tackles study studies
    use uses using used show shows shown evaluate evaluates evaluated apply applies applied extend extends
    various related key main critical crucial important fundamental successful better-quality good poor""".split())
#: Words a task name may start with: the data, domain or setting of the task. Without part-of-speech tags,
#: this list is what keeps verbs and adjectives ("unlocks", "realistic", "training") out of task names.
TASK_DOMAIN_WORDS = set("""image images video videos object objects instance semantic panoptic scene text text-to-image
    text-to-video image-to-image image-text 3d 2d 3-d depth pose action face facial speech audio point language
    question visual medical lung brain heart cardiac retinal chest x-ray tumor nodule lesion cell
    cross-modal crossmodal multimodal multi-modal zero-shot few-shot one-shot binary multi-label multi-class
    fine-grained unsupervised self-supervised semi-supervised weakly-supervised selective anomaly out-of-distribution
    ood class-conditional unconditional long-tailed open-vocabulary open-set open-world continual incremental
    class-incremental domain keypoint saliency edge optical flow motion trajectory graph node link molecule protein
    document table code sentiment named entity relation caption novel-view view volume volumetric temporal
    sequence time-series time series low-light underwater remote aerial satellite
    person vehicle pedestrian lane traffic road instance-level pixel-level dense sparse""".split())
#: Longest run of modifiers kept in front of a task head ("3D heart structures segmentation": 3).
TASK_MAX_MODIFIERS = 3
_TASK_HEADS = sorted((w for w, label in HEAD_LABELS.items() if label == "TASK"), key=len, reverse=True)
_TASK_PHRASE = re.compile(
    r"(?<![\w\-/])(?P<mods>(?:[A-Za-z0-9][\w\-/]*[ ]){1,%d})(?P<head>%s)s?(?![\w\-])"
    % (TASK_MAX_MODIFIERS + 2, "|".join(map(re.escape, _TASK_HEADS)))
)


def find_task_phrases(text: str) -> list[tuple[int, int]]:
    """Offsets of lower-case task names: 1-3 modifier words and a task head ("lung nodule detection",
    "zero-shot image segmentation", "class-conditional video generation"). Words before the last stop
    word are dropped ("achieves better image classification" keeps "image classification").

    >>> t = "We study unsupervised image classification and improve the downstream object detection."
    >>> [t[s:e] for s, e in find_task_phrases(t)]
    ['unsupervised image classification', 'object detection']
    >>> t = "It unlocks advanced zero-shot image segmentation."
    >>> [t[s:e] for s, e in find_task_phrases(t)]
    ['zero-shot image segmentation']
    >>> find_task_phrases("Our model achieves better classification.")
    []
    """
    out = []
    for m in _TASK_PHRASE.finditer(text):
        words = list(re.finditer(r"\S+", m.group("mods")))
        keep = []
        for w in words:
            s = w.group()
            if s.lower() in _TASK_STOP or s.endswith("ly") or not re.fullmatch(r"(?:[a-z0-9][\w\-/]*|\d[A-Za-z])", s):
                keep = []  # a stop word, adverb or capitalised word ends the run
            else:
                keep.append(w)
        keep = keep[-TASK_MAX_MODIFIERS:]
        # The name starts at its first domain / setting word: "high-fidelity image generation" -> "image generation".
        while keep and keep[0].group().lower() not in TASK_DOMAIN_WORDS:
            keep.pop(0)
        if not keep:
            continue
        out.append((m.start("mods") + keep[0].start(), m.end()))
    return out


# --- metric phrases ------------------------------------------------------------------------------------------
#: Words that make an accuracy a specific, named measure ("top-1 accuracy", "zero-shot accuracy", "test
#: accuracy"): the evaluation split, protocol or aggregation. Generic to ML evaluation, not to any paper;
#: evaluative words ("higher", "better") are not among them, so "higher accuracy" gives "accuracy".
METRIC_MODIFIERS = set("""top-1 top-5 top-k test validation val train training held-out zero-shot few-shot one-shot
    linear linear-probe linear-probing probing k-nn knn fine-tuning fine-tuned classification recognition
    detection segmentation retrieval average mean balanced per-class class-average overall clean certified
    robust adversarial iid ood out-of-distribution in-distribution top-1/top-5 pixel word token exact-match
    exact match""".split())
_METRIC_PHRASE = re.compile(r"(?<![\w\-/])(?P<mods>(?:[\w\-/]+[ ]){0,2})(?P<head>accurac(?:y|ies))(?![\w\-])", re.I)


def find_metric_phrases(text: str) -> list[tuple[int, int]]:
    """Offsets of named accuracy measures: "accuracy" with one or two of :data:`METRIC_MODIFIERS` in front
    ("zero-shot accuracy", "top-1 classification accuracy"). A bare "accuracy" is left out: abstracts use it
    mostly for a claim ("improves accuracy"), not to name the measure they report.

    >>> t = "It improves zero-shot accuracy and the clean test accuracy, with higher accuracy overall."
    >>> [t[s:e] for s, e in find_metric_phrases(t)]
    ['zero-shot accuracy', 'clean test accuracy']
    """
    out = []
    for m in _METRIC_PHRASE.finditer(text):
        words = list(re.finditer(r"\S+", m.group("mods")))
        keep: list = []
        for w in words:
            keep = keep + [w] if w.group().lower() in METRIC_MODIFIERS else []
        if keep:
            out.append((m.start("mods") + keep[0].start(), m.end()))
    return out
