"""Canonical entities across papers (kg/link.py)."""
from kg.link import link, norm, norm_url
from kg.records import Extraction, Mention, Paper
from small_corpus import DMAE, PASS, SWIN, extractions, m


def test_norm_matches_scorer_rules():
    assert norm("CIFAR-10") == norm("CIFAR10") == "cifar10"
    assert norm("Vision Transformers") == norm("vision transformer")
    assert norm("ImageNet-1k") == norm("ImageNet-1K")
    assert norm("ResNet-50") != norm("ResNet-101")
    assert norm("ImageNetV2") != norm("ImageNet")
    assert norm("loss") == "loss"  # 'ss' is not a plural


def test_norm_url_is_the_scorers_and_the_only_one():
    import kg.evaluate
    import kg.records

    assert norm_url("https://www.github.com/UCSC-VLAA/DMAE/") == norm_url("http://github.com/ucsc-vlaa/dmae.git")
    assert norm_url("https://github.com/UCSC-VLAA/DMAE.") == norm_url("https://github.com/UCSC-VLAA/DMAE")  # punctuation
    assert norm_url("https://github.com/a/b") != norm_url("https://github.com/a/c")
    assert norm_url is kg.records.norm_url is kg.evaluate.norm_url
    assert kg.evaluate.title_key is kg.records.title_key and kg.evaluate.norm is kg.records.name_key


def test_one_entity_per_real_thing_across_papers():
    linked = link(extractions())
    keys = set(linked.entities)
    # ImageNet is used by two papers: one node; ImageNet-1K is its own node (the text names it so).
    assert "Dataset/imagenet" in keys and "Dataset/imagenet1k" in keys
    assert sum(1 for ln in linked.links if ln.entity == "Dataset/imagenet") == 2
    # top-1 accuracy from two papers and two surface forms: one node with both forms.
    top1 = linked.entities["Metric/top1accuracy"]
    assert top1.label == "top-1 accuracy" and top1.aliases == ("top-1 ImageNet accuracy",)
    assert top1.catalogued


def test_acronym_and_long_form_are_one_entity_within_a_paper():
    linked = link(extractions())
    mae = linked.entities["Method/maskedautoencoder"]
    assert mae.label == "Masked Autoencoders" and mae.aliases == ("MAE",)
    (ln,) = [ln for ln in linked.links if ln.entity == mae.key]
    assert [mm.text for mm, _ in ln.evidence] == ["Masked Autoencoders", "MAE"]


def test_proposed_wins_and_specific_properties_come_first():
    linked = link(extractions())
    by = {(ln.paper.key, ln.entity): ln for ln in linked.links}
    assert by[(PASS.key, "Dataset/picturewithouthumanforselfsupervision")].properties == ("proposes",)
    assert by[(PASS.key, "Dataset/imagenet")].properties == ("usesDataset", "uses")
    assert by[(DMAE.key, "Dataset/imagenet")].properties == ("evaluatesOn", "usesDataset", "uses")
    assert by[(SWIN.key, "Architecture/swintransformer")].properties == ("proposes",)
    assert by[(SWIN.key, "Task/objectdetection")].properties == ("addressesTask",)
    assert by[(SWIN.key, "Metric/miou")].properties == ("reportsMetric",)


def test_relation_outside_its_range_is_ignored():
    p = Paper("A title", "We compare with ResNet and train on CIFAR-10.")
    ex = Extraction(p, (m(p, "ResNet", "ARCHITECTURE", "used", relation="trainsOn"),))
    (ln,) = link([ex]).links
    assert ln.properties == ("usesArchitecture", "uses")


def test_code_links_deduplicated_per_paper():
    p = Paper("T", "Code: https://github.com/a/b and https://github.com/A/b/ again.")
    from small_corpus import code

    ex = Extraction(p, (), (code(p, "https://github.com/a/b"), code(p, "https://github.com/A/b/")))
    assert [c.url for c in link([ex]).code[p.key]] == ["https://github.com/a/b"]


def test_unknown_label_is_rejected():
    p = Paper("T", "x y")
    bad = Mention("x", "PERSON", 2, 3, "x y", 2, "t", 0.5)
    try:
        link([Extraction(p, (bad,))])
    except ValueError as err:
        assert "PERSON" in str(err)
    else:
        raise AssertionError("expected ValueError")


def test_linking_is_deterministic():
    a, b = link(extractions()), link(list(reversed(extractions()))[::-1])
    assert a == b


def test_each_paper_links_alone_and_the_tables_give_the_labels():
    """A paper's entity keys depend on it alone; the labels on what every paper said (the table)."""
    from kg.link import EntityNameTable, link_paper

    exs = extractions()
    alone = [link_paper(ex) for ex in exs]
    together = link(exs)
    assert [lp.links for lp in alone] == [lp.links for lp in together.papers]
    table = EntityNameTable()
    for lp in reversed(alone):  # the order papers come in does not matter
        table.add(lp.names)
    assert table.entities() == together.entities


def test_the_most_frequent_name_labels_an_entity_across_papers():
    papers = [Paper(f"Paper {i}", f"We use {name} here.") for i, name in enumerate(["GraphNet", "Graph-Net", "GraphNet"])]
    exs = [Extraction(p, (m(p, name, "METHOD", "used"),)) for p, name in zip(papers, ["GraphNet", "Graph-Net", "GraphNet"])]
    (entity,) = link(exs).entities.values()
    assert (entity.label, entity.aliases, entity.catalogued) == ("GraphNet", ("Graph-Net",), False)
