"""The NLP stage (kg/nlp): pure functions without a pipeline, then the spaCy pipeline on real corpus text."""
from __future__ import annotations

import pytest

from kg.records import ENTITY_TYPES, ROLES, RELATIONS, Paper

# --- real papers from the sample corpus (abridged to the sentences under test) ---------------------------
DISWOT = Paper(
    "DisWOT: Student Architecture Search for Distillation WithOut Training",
    "Knowledge distillation (KD) is an effective training strategy to improve the lightweight student models "
    "under the guidance of cumbersome teachers. Code and models are available at "
    "https://lilujunai.github.io/DisWOT-CVPR2023/.")
REASSESS = Paper(
    "Re-assessing ImageNet: How aligned is its single-label assumption with its multi-label nature?",
    "This shift would enable a more comprehensive assessment of the capabilities of deep neural network (DNN) "
    "models. We analyze the effectiveness of pre-trained state-of-the-art DNNs on ImageNet and one of its "
    "variants, ImageNetV2.")
UNIREPLK = Paper(
    "UniRepLKNet: A Universal Perception Large-Kernel ConvNet for Audio, Video, Point Cloud, Time-Series and "
    "Image Recognition",
    "For example, our models achieve an ImageNet accuracy of 88.0%, ADE20K mIoU of 55.6%, and COCO box AP of "
    "56.4%, demonstrating better performance and higher speed than a number of recently proposed powerful "
    "competitors. Code and all the models at https://github.com/AILab-CVC/UniRepLKNet.")
SOLO = Paper(
    "A Single Transformer for Scalable Vision-Language Modeling",
    "We present SOLO, a single transformer for Scalable visiOn-Language mOdeling. Current large vision-language "
    "models (LVLMs) such as LLaVA mostly employ heterogeneous architectures that connect pre-trained visual "
    "encoders with large language models (LLMs) to facilitate visual recognition and complex reasoning.")
DIVERSITY = Paper(
    "Diversity-Driven Synthesis: Enhancing Dataset Distillation through Directed Weight Adjustment",
    "Extensive experiments across multiple datasets, including CIFAR, Tiny-ImageNet, and ImageNet-1K, "
    "demonstrate the superior performance of our method. Our code is available at "
    "https://github.com/AngusDujw/Diversity-Driven-Synthesis.https://github.com/AngusDujw/Diversity-Driven-Synthesis.")
SHARPDARTS = Paper(
    "sharpDARTS: Faster and More Accurate Differentiable Architecture Search",
    "Our resulting sharpDARTS search is 50% faster with a 20-30% relative improvement in final model error on "
    "CIFAR-10 when compared to DARTS. This model also generalizes competitively to ImageNet at 25.1% top-1 "
    "(7.8% top-5) error.")
PASS = Paper(
    "PASS: An ImageNet replacement for self-supervised pretraining without humans",
    "We thus propose an unlabelled dataset PASS: Pictures without humAns for Self-Supervision. PASS only "
    "contains images with CC-BY license and complete attribution metadata, addressing the copyright issue.")
PAPERS = [DISWOT, REASSESS, UNIREPLK, SOLO, DIVERSITY, SHARPDARTS, PASS]


@pytest.fixture(scope="session")
def nlp():
    """The rule components alone (the learned span model and resolver left out): what these tests pin down is
    what each rule proposes; the learned resolver, which weighs them, has tests of its own (TestLearned)."""
    import kg.nlp

    return kg.nlp.load(exclude=kg.nlp.LEARNED_PIPES)


@pytest.fixture(scope="session")
def full():
    import kg.nlp

    return kg.nlp.load()


@pytest.fixture(scope="session")
def extractions(nlp):
    import kg.nlp

    return {ex.paper.title: ex for ex in kg.nlp.extract(PAPERS, nlp, batch_size=3)}


def ents(ex):
    return [(m.text, m.label) for m in ex.mentions]


# --- pure functions -------------------------------------------------------------------------------------
class TestAbbreviations:
    def test_schwartz_hearst_pairs_from_corpus_sentences(self):
        from kg.nlp.abbreviations import find_abbreviations

        text = ("Neural Architecture Search (NAS) has been a source of dramatic improvements. A recent method, "
                "Differentiable Architecture Search (DARTS). Knowledge distillation (KD) is effective; "
                "large language models (LLMs) and Time-Dependent Layer Normalization (TD-LN).")
        assert [(a.long, a.short) for a in find_abbreviations(text)] == [
            ("Neural Architecture Search", "NAS"), ("Differentiable Architecture Search", "DARTS"),
            ("Knowledge distillation", "KD"), ("large language models", "LLMs"),
            ("Time-Dependent Layer Normalization", "TD-LN")]

    def test_offsets_point_at_both_forms(self):
        from kg.nlp.abbreviations import find_abbreviations

        text = "We propose Distribution Matching Distillation (DMD), which ..."
        (a,) = find_abbreviations(text)
        assert text[a.long_start:a.long_end] == "Distribution Matching Distillation"
        assert text[a.short_start:a.short_end] == "DMD"

    def test_a_hyphenated_first_word_is_kept_whole(self):
        from kg.nlp.abbreviations import find_abbreviations

        assert [(a.long, a.short) for a in find_abbreviations("using Self-Supervised Learning (SSL) on")] == [
            ("Self-Supervised Learning", "SSL")]

    @pytest.mark.parametrize("text", ["results (see Table 2)", "as before (e.g., ViT)", "a value (0.5)",
                                      "in machine learning (ML) and", "known models (Fig 3)"])
    def test_non_definitions_and_broad_fields_are_ignored(self, text):
        from kg.nlp.abbreviations import find_abbreviations

        assert find_abbreviations(text) == []

    def test_later_uses_of_the_short_form_and_its_plural(self):
        from kg.nlp.abbreviations import short_form_occurrences

        assert short_form_occurrences("SSM here; SSMs there; not SSMx or a-SSM", "SSM") == [(0, 3), (10, 14)]


class TestCodeLinks:
    @pytest.mark.parametrize("text,urls", [
        ("Code is available at https://github.com/x/y.", ["https://github.com/x/y"]),
        ("Code: https://github.com/x/y, and (https://x.github.io/p/); see https://huggingface.co/a/b:",
         ["https://github.com/x/y", "https://x.github.io/p/", "https://huggingface.co/a/b"]),
        ("Diverse Synthesis. https://github.com/x/y.", ["https://github.com/x/y"]),
        ("...Synthesis.https://github.com/x/y.", ["https://github.com/x/y"]),
        ("at https://github.com/a/b.https://github.com/a/b.", ["https://github.com/a/b", "https://github.com/a/b"]),
        ("released at {https://github.com/naver-ai/relabel_imagenet}.", ["https://github.com/naver-ai/relabel_imagenet"]),
        ("available at~https://github.com/microsoft/Swin-Transformer.", ["https://github.com/microsoft/Swin-Transformer"]),
        ("code at github.com/owner/repo.", ["github.com/owner/repo"]),
        ("No link here, only e.g. 3.5 and ResNet-50.", []),
    ])
    def test_urls_without_trailing_punctuation(self, text, urls):
        from kg.nlp.code_links import find_code_links

        found = find_code_links(text)
        assert [u for _, _, u in found] == urls
        assert all(text[s:e] == u for s, e, u in found)

    def test_a_download_page_of_other_data_is_not_code(self):
        from kg.nlp.code_links import is_paper_code

        assert not is_paper_code("http://x.org/d", "The images were downloaded from http://x.org/d.")
        assert is_paper_code("https://github.com/a/b", "Our code is available at https://github.com/a/b.")
        assert is_paper_code("https://a.io/d", "Our dataset can be downloaded from https://a.io/d.")


class TestNewNames:
    @pytest.mark.parametrize("title,name,label", [
        ("SlimFlow: Training Smaller One-Step Diffusion Models with Rectified Flow", "SlimFlow", "METHOD"),
        ("GeneCIS: A Benchmark for General Conditional Image Similarity", "GeneCIS", "DATASET"),
        ("UniRepLKNet: A Universal Perception Large-Kernel ConvNet for Audio", "UniRepLKNet", "ARCHITECTURE"),
        ("torchdistill: A Modular, Configuration-Driven Framework for Knowledge Distillation", "torchdistill", "METHOD"),
    ])
    def test_title_prefix_names(self, title, name, label):
        from kg.nlp.new_names import title_name

        n = title_name(title)
        assert (n.text, n.label, n.start) == (name, label, 0)

    @pytest.mark.parametrize("title", ["Revisiting ResNets: Improved Training and Scaling Strategies",
                                       "Re-assessing ImageNet: How aligned is its single-label assumption?",
                                       "A Single Transformer for Scalable Vision-Language Modeling"])
    def test_titles_without_a_name(self, title):
        from kg.nlp.new_names import title_name

        assert title_name(title) is None

    def test_abstract_cues_and_their_types(self):
        from kg.nlp.new_names import find_new_names

        text = ("Some Title\nWe present SOLO, a single transformer for modeling. We thus propose an unlabelled "
                "dataset PASS: Pictures. Our sampler, dubbed FastS, is quick. We propose to use Adam.")
        assert [(n.text, n.label, n.cue) for n in find_new_names(text)] == [
            ("SOLO", "ARCHITECTURE", "propose"), ("PASS", "DATASET", "propose"), ("FastS", "METHOD", "dubbed")]


class TestRoles:
    @pytest.mark.parametrize("before,label,rel", [
        ("Extensive experiments across multiple datasets, including ", "DATASET", "evaluatesOn"),
        ("We evaluate on ", "DATASET", "evaluatesOn"),
        ("a ViT pretrained on ", "DATASET", "trainsOn"),
        ("Our method outperforms ", "METHOD", "comparesWith"),
        ("a 20% improvement when compared to ", "METHOD", "comparesWith"),
        ("We analyze the effectiveness of ", "DATASET", None),
        ("Our method outperforms ", "DATASET", None),
    ])
    def test_relation_cues(self, before, label, rel):
        from kg.nlp.roles import relation

        assert relation(before, label) == rel

    def test_proposal_context(self):
        from kg.nlp.roles import is_proposed_here

        assert is_proposed_here("We propose ")
        assert is_proposed_here("In this paper, we introduce a novel ")
        assert not is_proposed_here("We propose to combine ")
        assert not is_proposed_here("Prior work proposed ")


class TestHeads:
    @pytest.mark.parametrize("name,label", [
        ("Distribution Matching Distillation", "METHOD"), ("Multi-Resolution network", "ARCHITECTURE"),
        ("Long Range Arena Benchmark", "DATASET"), ("Learned Perceptual Image Patch Similarity", "METRIC"),
        ("visual question answering", "TASK"), ("Pictures without humAns", None)])
    def test_type_from_head(self, name, label):
        from kg.nlp.heads import type_from_head

        assert type_from_head(name) == label


# --- the pipeline ---------------------------------------------------------------------------------------
class TestTokenizer:
    def test_names_and_urls_stay_whole(self, nlp):
        doc = nlp.make_doc("ResNet-50, CIFAR-10, ImageNet-1K, GPT-4, MoCo-v2 and https://github.com/x/y.")
        words = [t.text for t in doc]
        for name in ("ResNet-50", "CIFAR-10", "ImageNet-1K", "GPT-4", "MoCo-v2", "https://github.com/x/y"):
            assert name in words


class TestPipeline:
    def test_pipe_names_are_registered_factories(self, full):
        import kg.nlp

        assert tuple(full.pipe_names) == kg.nlp.PIPE_NAMES

    def test_title_is_its_own_sentence(self, nlp):
        doc = nlp(SHARPDARTS.text)
        sents = [s.text.strip() for s in doc.sents]
        assert sents[0] == SHARPDARTS.title
        assert sents[1].startswith("Our resulting sharpDARTS search") and sents[1].endswith("compared to DARTS.")
        assert len(sents) == 3

    @pytest.mark.parametrize("paper,expected", [
        (DISWOT, [("DisWOT", "METHOD"), ("Architecture Search", "METHOD"), ("Knowledge distillation", "METHOD"),
                  ("KD", "METHOD")]),
        (REASSESS, [("ImageNet", "DATASET"), ("deep neural network", "ARCHITECTURE"), ("DNN", "ARCHITECTURE"),
                    ("DNNs", "ARCHITECTURE"), ("ImageNet", "DATASET"), ("ImageNetV2", "DATASET")]),
        (UNIREPLK, [("UniRepLKNet", "ARCHITECTURE"), ("ConvNet", "ARCHITECTURE"), ("Image Recognition", "TASK"),
                    ("ImageNet", "DATASET"), ("ADE20K", "DATASET"), ("mIoU", "METRIC"), ("COCO", "DATASET"),
                    ("box AP", "METRIC")]),
        (SOLO, [("Transformer", "ARCHITECTURE"), ("SOLO", "ARCHITECTURE"), ("transformer", "ARCHITECTURE"),
                ("large vision-language models", "ARCHITECTURE"), ("LVLMs", "ARCHITECTURE"),
                ("LLaVA", "ARCHITECTURE"), ("large language models", "ARCHITECTURE"), ("LLMs", "ARCHITECTURE"),
                ("visual recognition", "TASK")]),
        (DIVERSITY, [("Diversity-Driven Synthesis", "METHOD"), ("Dataset Distillation", "METHOD"),
                     ("CIFAR", "DATASET"), ("Tiny-ImageNet", "DATASET"), ("ImageNet-1K", "DATASET")]),
        (SHARPDARTS, [("sharpDARTS", "METHOD"), ("Differentiable Architecture Search", "METHOD"),
                      ("sharpDARTS", "METHOD"), ("CIFAR-10", "DATASET"), ("DARTS", "METHOD"),
                      ("ImageNet", "DATASET"), ("top-1", "METRIC"), ("top-5", "METRIC")]),
    ])
    def test_entities_of_real_abstracts(self, extractions, paper, expected):
        assert ents(extractions[paper.title]) == expected

    def test_roles_and_relations(self, extractions):
        def roles(p):
            return {(m.text, m.role, m.relation) for m in extractions[p.title].mentions}

        assert ("SOLO", "proposed", None) in roles(SOLO)
        assert ("LLaVA", "used", None) in roles(SOLO)
        assert ("DisWOT", "proposed", None) in roles(DISWOT)
        assert ("Knowledge distillation", "used", None) in roles(DISWOT)
        assert ("ImageNetV2", "used", "evaluatesOn") in roles(REASSESS)
        assert ("DARTS", "used", "comparesWith") in roles(SHARPDARTS)
        assert ("CIFAR-10", "used", "evaluatesOn") in roles(SHARPDARTS)
        assert {r for t, r, _ in roles(PASS) if t == "PASS"} == {"proposed"}
        assert ("Tiny-ImageNet", "used", "evaluatesOn") in roles(DIVERSITY)
        # Tasks and metrics have no role
        assert all(m.role is None for ex in extractions.values() for m in ex.mentions
                   if m.label in ("TASK", "METRIC"))

    def test_a_coined_dataset_is_a_proposed_dataset(self, extractions):
        ms = [m for m in extractions[PASS.title].mentions if m.text == "PASS"]
        assert len(ms) == 3 and {(m.label, m.role) for m in ms} == {("DATASET", "proposed")}

    def test_acronym_and_long_form_are_one_entity(self, extractions):
        ms = {m.text: m for m in extractions[REASSESS.title].mentions}
        assert ms["DNN"].canonical == ms["deep neural network"].canonical == "Deep Neural Network"
        assert "DNN" in ms["deep neural network"].aliases and "deep neural network" in ms["DNN"].aliases

    def test_catalogue_canonical_names(self, extractions):
        ms = {m.text: m for m in extractions[UNIREPLK.title].mentions}
        assert ms["COCO"].canonical == "MS COCO"
        assert ms["ConvNet"].canonical == "Convolutional Neural Network"

    def test_code_links(self, extractions):
        assert [c.url for c in extractions[DISWOT.title].code] == ["https://lilujunai.github.io/DisWOT-CVPR2023/"]
        assert [c.url for c in extractions[UNIREPLK.title].code] == ["https://github.com/AILab-CVC/UniRepLKNet"]
        # the same URL twice (glued) is one CodeLink
        assert [c.url for c in extractions[DIVERSITY.title].code] == [
            "https://github.com/AngusDujw/Diversity-Driven-Synthesis"]
        assert extractions[SOLO.title].code == ()

    def test_code_spans_on_the_doc(self, nlp):
        doc = nlp(UNIREPLK.text)
        assert [s.text for s in doc.spans["code"]] == ["https://github.com/AILab-CVC/UniRepLKNet"]

    def test_offsets_and_sentences_point_into_the_paper_text(self, extractions):
        for ex in extractions.values():
            text = ex.paper.text
            for m in ex.mentions:
                assert text[m.start:m.end] == m.text
                assert text[m.sent_start:m.sent_start + len(m.sentence)] == m.sentence
                assert m.sent_start <= m.start and m.end <= m.sent_start + len(m.sentence)
                assert m.label in ENTITY_TYPES and 0.0 <= m.confidence <= 1.0
                assert m.role in (*ROLES, None) and m.relation in (*RELATIONS, None)
                assert m.component.startswith("paperkg_")
            for c in ex.code:
                assert text[c.start:c.end] == c.url

    def test_no_overlapping_entities(self, nlp):
        for p in PAPERS:
            doc = nlp(p.text)
            covered = [i for e in doc.ents for i in range(e.start, e.end)]
            assert len(covered) == len(set(covered))
            assert {e.label_ for e in doc.ents} <= set(ENTITY_TYPES)

    def test_span_extensions(self, nlp):
        doc = nlp(SHARPDARTS.text)
        darts = [e for e in doc.ents if e.text == "DARTS"][0]
        assert darts._.paperkg_role == "used" and darts._.paperkg_relation == "comparesWith"
        assert darts._.paperkg_component == "paperkg_catalogue" and darts._.paperkg_canonical == "differentiable architecture search"
        assert 0 < darts._.paperkg_confidence <= 1

    def test_extract_keeps_order_across_batches(self, nlp):
        import kg.nlp

        titles = [ex.paper.title for ex in kg.nlp.extract(PAPERS * 2, nlp, batch_size=4)]
        assert titles == [p.title for p in PAPERS * 2]

    def test_save_and_load_round_trip(self, full, tmp_path):
        import spacy

        import kg.nlp

        nlp = full
        nlp.to_disk(tmp_path / "pipe")
        again = spacy.load(tmp_path / "pipe")
        assert again.pipe_names == nlp.pipe_names
        for p in PAPERS:
            a, b = nlp(p.text), again(p.text)
            assert [(e.text, e.label_, e.start_char) for e in a.ents] == [(e.text, e.label_, e.start_char) for e in b.ents]
            assert [t.text for t in a] == [t.text for t in b]
        assert kg.nlp.load(tmp_path / "pipe").pipe_names == nlp.pipe_names

    def test_a_saved_pipeline_loads_in_a_fresh_interpreter_that_never_imports_kg(self, full, tmp_path):
        """spaCy finds the factories and the tokenizer through paperkg's entry points (pyproject.toml)."""
        import json
        import subprocess
        import sys

        full.to_disk(tmp_path / "pipe")
        expected = [(e.text, e.label_, e._.paperkg_role) for e in full(SHARPDARTS.text).ents]
        script = (
            "import json, sys, spacy\n"
            "assert 'kg' not in sys.modules\n"
            f"nlp = spacy.load({str(tmp_path / 'pipe')!r})\n"
            f"doc = nlp({SHARPDARTS.text!r})\n"
            "print(json.dumps([[e.text, e.label_, e._.paperkg_role] for e in doc.ents]))\n")
        # run from tmp_path so that the repository's checkout is not on sys.path by accident
        done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert [tuple(e) for e in json.loads(done.stdout)] == expected
        assert ("DARTS", "METHOD", "used") in expected

    def test_analyze_pipes_finds_no_problem_in_the_pipeline_and_flags_a_wrong_order(self, full):
        import spacy

        assert all(not problems for problems in full.analyze_pipes(pretty=False)["problems"].values())
        wrong = spacy.blank("en")
        wrong.add_pipe("paperkg_roles")  # before anything that sets doc.ents or sentences
        wrong.add_pipe("paperkg_entities")
        problems = wrong.analyze_pipes(pretty=False)["problems"]
        assert sorted(problems["paperkg_roles"]) == ["doc.ents", "doc.sents"]
        assert problems["paperkg_entities"] == ["doc.spans"]

    def test_loading_a_missing_pipeline_is_a_pipeline_error(self, tmp_path):
        import kg.nlp
        from kg.errors import PipelineError

        with pytest.raises(PipelineError, match="cannot load a pipeline"):
            kg.nlp.load(tmp_path / "absent")


# --- rules added for issue 4 (real corpus sentences) ------------------------------------------------------
SWIN = Paper(
    "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows",
    "This paper presents a new vision Transformer, called Swin Transformer, that capably serves as a "
    "general-purpose backbone for computer vision. Challenges in adapting Transformer from language to vision "
    "arise from differences between the two domains.")
CONSISTENCY = Paper(
    "Consistency Models",
    "Diffusion models have made significant breakthroughs in image, audio, and video generation, but they depend "
    "on an iterative generation process that causes slow sampling speed. To overcome this limitation, we propose "
    "consistency models, a new family of generative models that achieve high sample quality without adversarial "
    "training.")
OFA = Paper(
    "Once-for-All: Train One Network and Specialize it for Efficient Deployment",
    "To efficiently train OFA networks, we also propose a novel progressive shrinking algorithm, a generalized "
    "pruning method that reduces the model size across many more dimensions than pruning.")
VNC = Paper(
    "Training Consistency Models with Variational Noise Coupling",
    "Consistency Training (CT) has recently emerged as a promising alternative to diffusion models. In this work, "
    "we propose a novel CT training approach based on the Flow Matching framework.")
RELABEL = Paper(
    "Re-labeling ImageNet: from Single to Multi-Labels, from Global to Localized Labels",
    "ImageNet has been arguably the most popular image classification benchmark, but it is also the one with a "
    "significant level of label noise.")


def _roles(nlp, paper):
    import kg.nlp

    ex = next(kg.nlp.extract([paper], nlp))
    return {(m.text, m.label, m.role) for m in ex.mentions}


class TestIssue4Rules:
    def test_a_catalogue_name_heading_its_own_paper_is_proposed(self, nlp):
        r = _roles(nlp, SWIN)
        assert {x for x in r if x[0] == "Swin Transformer"} == {("Swin Transformer", "ARCHITECTURE", "proposed")}
        # "a new vision Transformer, called Swin Transformer": the name after "called" is the new one
        assert ("vision Transformer", "ARCHITECTURE", "used") in r
        assert ("Transformer", "ARCHITECTURE", "used") in r

    def test_we_propose_a_catalogue_name_as_the_whole_object(self, nlp):
        r = _roles(nlp, CONSISTENCY)
        assert ("consistency models", "ARCHITECTURE", "proposed") in r
        assert ("Consistency Models", "ARCHITECTURE", "proposed") in r  # the whole title is the name
        assert ("Diffusion models", "ARCHITECTURE", "used") in r

    def test_a_catalogue_name_before_a_noun_is_not_proposed(self, nlp):
        # "we propose a novel CT training approach": CT is used, the approach has no name
        r = _roles(nlp, VNC)
        assert {x[2] for x in r if x[0] in ("CT", "Consistency Training")} == {"used"}
        assert ("Variational Noise Coupling", "METHOD", "proposed") in r  # "... with <Title-Case technique>"

    def test_a_described_technique_is_proposed_under_both_spellings(self, nlp):
        import kg.nlp

        ex = next(kg.nlp.extract([OFA], nlp))
        m = [m for m in ex.mentions if m.text == "progressive shrinking algorithm"]
        assert len(m) == 1 and (m[0].label, m[0].role, m[0].canonical) == ("METHOD", "proposed", "progressive shrinking")
        assert "progressive shrinking" in m[0].aliases

    def test_a_gerund_title_prefix_is_not_a_name(self, nlp):
        r = _roles(nlp, RELABEL)
        assert all(role != "proposed" for _, _, role in r)
        assert ("ImageNet", "DATASET", "used") in r

    def test_lower_case_task_phrases(self):
        from kg.nlp.heads import find_task_phrases

        text = ("SCAN: Learning to Classify Images without Labels. Can we automatically group images into semantically "
                "meaningful clusters when ground-truth annotations are absent? The task of unsupervised image "
                "classification remains an important, and open challenge in computer vision.")
        assert [text[s:e] for s, e in find_task_phrases(text)] == ["unsupervised image classification"]
        text = "lung nodule detection, and achieves advanced zero-shot image segmentation with 16-frame 128p video reconstruction."
        assert [text[s:e] for s, e in find_task_phrases(text)] == [
            "lung nodule detection", "zero-shot image segmentation", "video reconstruction"]

    def test_task_phrases_become_task_entities(self, nlp):
        doc = nlp("T\nThe task of unsupervised image classification remains an important, and open challenge.")
        assert [(e.text, e.label_) for e in doc.ents] == [("unsupervised image classification", "TASK")]

    def test_described_methods_from_corpus_sentences(self):
        from kg.nlp.new_names import find_described_methods

        cases = {
            "Specifically, we first propose a two-way stitching scheme to enlarge the stitching space.": ["two-way stitching"],
            "We then design a resource-constrained sampling strategy that takes into account the FLOPs.":
                ["resource-constrained sampling"],
            "In this study, we propose a training-free projection-based continual merging method that processes "
            "models sequentially.": ["projection-based continual merging"],
            "Additionally, we develop a soft mask strategy that gradually introduces a casual mask.": ["soft mask"],
            "We propose a simple yet effective training strategy.": [],
            "we propose a novel CT training approach based on the Flow Matching framework.": [],
        }
        for text, names in cases.items():
            assert [d.name for d in find_described_methods(text)] == names, text

    def test_title_phrase_names(self):
        from kg.nlp.new_names import title_phrase_names

        assert [(n.text, n.label) for n in title_phrase_names("Curriculum Dataset Distillation")] == [
            ("Curriculum Dataset Distillation", "METHOD")]
        assert [n.text for n in title_phrase_names(
            "Joint Self-Supervised Image-Volume Representation Learning with Intra-Inter Contrastive Clustering")] == [
            "Intra-Inter Contrastive Clustering"]
        # no typed head: not a technique
        assert title_phrase_names("The Curious Robot: Learning Visual Representations via Physical Interactions") == []
        assert title_phrase_names("Improving CLIP Training with Language Rewrites") == []

    def test_is_proposed_object(self):
        from kg.nlp.roles import is_proposed_object

        assert is_proposed_object("To overcome this limitation, we propose ", ", a new family")
        assert not is_proposed_object("This paper presents a new ", ", called Swin Transformer")
        assert not is_proposed_object("we propose a novel ", " training approach")

    def test_docs_serialise_for_worker_processes(self, nlp):
        from spacy.tokens import Doc

        doc = nlp(SWIN.text)  # spaCy's nlp.pipe(n_process>1) ships docs as bytes: no unserialisable user_data
        again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
        assert [e.text for e in again.ents] == [e.text for e in doc.ents]

    def test_a_generic_family_named_once_in_passing_is_dropped(self, nlp):
        # corpus sentence: "deep neural network" once, in passing; the REASSESS paper names DNNs three times
        doc = nlp("Symbolic Discovery of Optimization Algorithms\nWe present a method to formulate algorithm "
                  "discovery as program search, and apply it to discover optimization algorithms for deep neural "
                  "network training.")
        assert "Deep Neural Network" not in {e._.paperkg_canonical for e in doc.ents}
        doc = nlp(REASSESS.text)
        assert {e.text for e in doc.ents if e._.paperkg_canonical == "Deep Neural Network"} == {
            "deep neural network", "DNN", "DNNs"}


class TestIssue4ProposedRules:
    """Rules that mark what a paper proposes (issue 4, second round); sentences from non-dev corpus papers
    unless noted."""

    def test_a_name_in_apposition_to_our_noun_is_proposed(self, nlp):
        # "our <noun>, Name" / "our <noun> Name": the paper's own model, approach, dataset
        r = _roles(nlp, Paper("Large Scale Adversarial Representation Learning",
                              "Our approach, BigBiGAN, builds upon the state-of-the-art BigGAN model, extending it to "
                              "representation learning by adding an encoder and modifying the discriminator."))
        assert ("BigBiGAN", "METHOD", "proposed") in r
        r = _roles(nlp, Paper("Reversible Column Networks",
                              "Given more pre-training data, our largest model RevCol-H reaches 90.0% on ImageNet-1K."))
        assert ("RevCol-H", "ARCHITECTURE", "proposed") in r
        r = _roles(nlp, Paper("Data Filtering Networks",
                              "Specifically, our best performing dataset DFN-5B enables us to train state-of-the-art "
                              "models for their compute budgets."))
        assert ("DFN-5B", "DATASET", "proposed") in r

    def test_a_plain_word_after_our_noun_needs_commas(self):
        from kg.nlp.new_names import find_new_names

        assert [n.text for n in find_new_names(
            "T\nEmpirically, using easily-available external metrics, our proposed approach, Loki, gains up to 29.7% "
            "relative improvement over SimCLR on ImageNet.")] == ["Loki"]  # dev paper; the plain word is set off
        assert find_new_names("T\nour method Loki gains 29.7%.") == []

    def test_our_metric_is_a_metric_without_role(self, nlp):
        r = _roles(nlp, Paper("Better May Not Be Fairer: A Study on Subgroup Discrepancy in Image Classification",
                              "Compared to the baseline, our metric, FlowAug demonstrates improvements on subgroup "
                              "discrepancy."))
        assert ("FlowAug", "METRIC", None) in r

    def test_coordinated_names_after_a_coining_verb(self):
        from kg.nlp.new_names import find_new_names

        names = find_new_names("T\nBased on this, we introduce the S4-PTD and S5-PTD models.")
        assert sorted(n.text for n in names) == ["S4-PTD", "S5-PTD"]
        # one name with an inner "and" after a naming word stays one name (or its acronym)
        names = find_new_names("T\nTo overcome these limitations, we propose a novel multimodal framework named "
                               "VALE Visual and Language Explanation.")
        assert "Language Explanation" not in {n.text for n in names}
        # "Scalable and Transferable U-Net": an adjective is no conjunct
        assert find_new_names("T\nwe design a series of Scalable and Transferable U-Net (STU-Net) models.") == []

    def test_a_naming_verb_right_before_a_long_form_coins_it(self, nlp):
        r = _roles(nlp, Paper("Self-similarity Driven Scale-invariant Learning for Weakly Supervised Person Search",
                              "In this paper, we address this problem by proposing a novel one-step framework, named "
                              "Self-similarity driven Scale-invariant Learning (SSL)."))
        assert ("Self-similarity driven Scale-invariant Learning", "METHOD", "proposed") in r
        assert ("SSL", "METHOD", "proposed") in r
        # "what has been termed X": a known name
        from kg.nlp.roles import is_proposed_here
        assert not is_proposed_here("the synthetic data in what has been termed ")

    def test_an_acronym_alone_does_not_make_a_long_form_a_catalogue_entity(self, nlp):
        doc = nlp("T\nIn this paper, we address this problem by proposing a novel one-step framework, named "
                  "Self-similarity driven Scale-invariant Learning (SSL).")
        assert {e._.paperkg_canonical for e in doc.ents} == {"Self-similarity driven Scale-invariant Learning"}
        doc = nlp("T\nSince experiencing domain shifts during test-time is inevitable in practice, test-time adaption "
                  "(TTA) continues to adapt the model after deployment.")  # dev paper: a misspelt catalogue name
        assert [e._.paperkg_canonical for e in doc.ents] == ["test-time adaptation", "test-time adaptation"]

    def test_a_name_is_typed_by_its_last_word_not_an_inner_one(self, nlp):
        doc = nlp("T\nDenoising Diffusion Models (DDMs) have become a popular tool for generating samples.")
        assert [(e.text, e.label_) for e in doc.ents][:2] == [("Denoising Diffusion Models", "ARCHITECTURE"),
                                                             ("DDMs", "ARCHITECTURE")]
        from kg.nlp.heads import type_from_head
        assert type_from_head("Any Ratio Adaptability Diffusion") is None  # so "Ratio" must not type it METRIC
        doc = nlp("T\nSpecifically, the initial stage, dubbed Any Ratio Adaptability Diffusion (ARAD), leverages a "
                  "selected set of images.")  # dev paper
        assert ("Any Ratio Adaptability Diffusion", "METHOD", "proposed") in {
            (e.text, e.label_, e._.paperkg_role) for e in doc.ents}

    def test_someone_elses_called_name_is_not_coined(self, nlp):
        from kg.nlp.new_names import find_new_names

        text = ("T\nConversely, a recent state space model called Mamba offers linear complexity by compressing a "
                "filtered global context into a hidden state.")
        assert find_new_names(text) == []
        assert ("Mamba", "ARCHITECTURE", "used") in _roles(nlp, Paper("T", text.split("\n", 1)[1]))

    def test_an_acronym_before_a_head_noun_is_not_the_name(self):
        from kg.nlp.new_names import find_new_names

        names = find_new_names("T\nIn this paper, we propose a novel AD framework: FOcus-the-Discrepancy (FOD), which "
                               "can simultaneously spot the patch-wise, intra- and inter-discrepancies.")  # dev paper
        assert [n.text for n in names] == ["FOcus-the-Discrepancy"]
        names = find_new_names("T\nwe present a simple and effective KD method, called ScaleKD")
        assert [(n.text, n.label) for n in names] == [("ScaleKD", "METHOD")]

    def test_size_variants_of_a_proposed_name_are_proposed_architectures(self, nlp):
        r = _roles(nlp, Paper("InceptionNeXt: When Inception Meets ConvNeXt",
                              "For instance, InceptionNeXt-T achieves 1.6x higher training throughputs than ConvNeX-T, "
                              "as well as attains 0.2% top-1 accuracy improvement on ImageNet-1K."))
        assert ("InceptionNeXt-T", "ARCHITECTURE", "proposed") in r
        r = _roles(nlp, Paper("ViTamin: Designing Scalable Vision Models in the Vision-Language Era",
                              "To this end, we introduce ViTamin, a new vision models tailored for VLMs. ViTamin-L "
                              "significantly outperforms ViT-L by 2.0% ImageNet zero-shot accuracy."))
        assert ("ViTamin-L", "ARCHITECTURE", "proposed") in r
        assert ("ViT-L", "ARCHITECTURE", "used") in r
        # a size of the model, not a named variant (dev paper)
        r = _roles(nlp, Paper("Alleviating Distortion in Image Generation via Multi-Resolution Diffusion Models",
                              "Our model, dubbed DiMR, is fast. DiMR-XL variants outperform prior diffusion models."))
        assert not any(t.startswith("DiMR-") for t, _, _ in r)

    def test_an_acronym_inside_a_name_before_its_head(self, nlp):
        # dev paper (the only corpus sentence with this shape)
        text = ("T\nwe propose Sparsely-Sharded (S2) Attention, an attention algorithm that allocates heterogeneous "
                "context partitions. S2-Attention enforces each attention head to only attend to a partition.")
        r = _roles(nlp, Paper("T", text.split("\n", 1)[1]))
        assert ("Sparsely-Sharded (S2) Attention", "METHOD", "proposed") in r
        assert ("S2-Attention", "METHOD", "proposed") in r

    def test_a_digit_in_an_acronym_repeats_a_letter(self):
        from kg.nlp.abbreviations import find_abbreviations

        text = 'we propose an "energy-efficient group convolution" (E2GC) module'  # dev paper
        assert [(a.long, a.short) for a in find_abbreviations(text)] == [("energy-efficient group convolution", "E2GC")]
        # not across a function word
        assert find_abbreviations("we develop a Discrete-to-continuous space Variational AutoEncoder (D2C-VAE)") == []

    def test_a_lower_case_name_set_off_and_described_as_a_technique(self, nlp):
        # dev paper (the only corpus sentence with this shape)
        r = _roles(nlp, Paper("Exploring Diffusion Transformer Designs via Grafting",
                              "To this end, we present grafting, a simple approach for editing pretrained diffusion "
                              "transformers (DiTs) to materialize new architectures under small compute budgets."))
        assert ("grafting", "METHOD", "proposed") in r
        from kg.nlp.new_names import find_described_methods
        assert find_described_methods("We present training, a simple approach for it.") == []
        assert find_described_methods("We present experiments, showing a simple method works.") == []


class TestMetricPhrases:
    """paperkg_metric_phrases: named accuracy measures the catalogue does not list (non-dev corpus sentences)."""

    def test_modifiers_make_a_named_accuracy(self):
        from kg.nlp.heads import find_metric_phrases

        t = ("ViTamin-L significantly outperforms ViT-L by 2.0% ImageNet zero-shot accuracy, when using the same "
             "publicly available DataComp-1B dataset.")
        assert [t[s:e] for s, e in find_metric_phrases(t)] == ["zero-shot accuracy"]
        t = ("Image classification accuracy on the ImageNet dataset has been a barometer for progress in computer "
             "vision over the last decade.")
        assert [t[s:e] for s, e in find_metric_phrases(t)] == ["classification accuracy"]

    def test_a_bare_accuracy_is_not_a_named_measure(self):
        from kg.nlp.heads import find_metric_phrases

        assert find_metric_phrases("while simultaneously delivering significant improvements in both generative "
                                   "quality and higher accuracy") == []

    def test_in_the_pipeline(self, nlp):
        from kg.nlp import extract

        ex = next(extract([Paper(
            "SimMIM: A Simple Framework for Masked Image Modeling",
            "Using ViT-B, our approach achieves 83.8% top-1 fine-tuning accuracy on ImageNet-1K by pre-training also "
            "on this dataset, surpassing previous best approach by +0.6%.")], nlp))
        metrics = [(m.text, m.component) for m in ex.mentions if m.label == "METRIC"]
        assert metrics == [("top-1 fine-tuning accuracy", "paperkg_metric_phrases")]

    def test_a_catalogued_metric_in_the_plural_is_the_same_metric(self, nlp):
        from kg.nlp import extract

        ex = next(extract([Paper(
            "Combined Scaling for Zero-shot Transfer Learning",
            "Our models reach higher top-1 accuracies with lower latencies.")], nlp))
        assert [(m.text, m.canonical) for m in ex.mentions if m.label == "METRIC"] == [
            ("top-1 accuracies", "top-1 accuracy"), ("latencies", "latency")]


# --- the learned span model and resolver (issue 15) --------------------------------------------------------
class TestLearned:
    """The shipped span model and resolver on real corpus text (papers of the sample corpus above)."""

    def test_every_entity_has_the_resolver_probability_and_the_component_that_found_it(self, full):
        import kg.nlp

        components = set(kg.nlp.PIPE_NAMES)
        for p in PAPERS:
            doc = full(p.text)
            assert doc.ents
            for e in doc.ents:
                assert 0.0 < e._.paperkg_confidence <= 1.0
                assert e._.paperkg_component in components
                assert (e._.paperkg_role in ("proposed", "used")) == (e.label_ in ("METHOD", "ARCHITECTURE", "DATASET"))

    def test_the_span_model_scores_its_candidates_in_their_own_group(self, full):
        from kg.nlp.spans import MIN_SCORE, MODEL_CANDIDATES

        doc = full(SHARPDARTS.text)
        group = doc.spans[MODEL_CANDIDATES]
        scores = group.attrs["scores"]
        assert len(scores) == len(group) > 0 and all(MIN_SCORE <= s <= 1.0 for s in scores)
        # the model's candidates never enter the rules' longest-match choice (the rule candidates' group)
        from kg.nlp.components import CANDIDATES

        assert {(s.start, s.end) for s in doc.spans[CANDIDATES]} != {(s.start, s.end) for s in group}

    def test_datasets_the_rules_and_the_model_agree_on_are_kept_with_high_confidence(self, full):
        doc = full(SHARPDARTS.text)
        kept = {(e.text, e.label_): e._.paperkg_confidence for e in doc.ents}
        assert kept[("CIFAR-10", "DATASET")] > 0.8 and kept[("ImageNet", "DATASET")] > 0.8

    def test_a_model_folder_without_its_files_is_a_clear_error(self, tmp_path):
        import kg.nlp
        from kg.errors import PipelineError

        with pytest.raises(PipelineError, match="not a model folder written by `kg train`"):
            kg.nlp.load(model=tmp_path)
