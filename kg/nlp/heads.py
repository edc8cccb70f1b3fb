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
