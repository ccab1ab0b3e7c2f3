"""The `train` command's flags: --quick gives the smoke-run defaults, explicit flags win over them."""

from triage_research.cli import parser, train_config


def config_of(*argv: str):
    return train_config(parser().parse_args(["train", *argv]))


def test_quick_is_one_member_two_epochs():
    cfg = config_of("--quick")
    assert (cfg.members, cfg.max_epochs, cfg.min_epochs) == (1, 2, 1)


def test_explicit_flags_win_over_quick():
    cfg = config_of("--quick", "--max-epochs", "1")
    assert (cfg.members, cfg.max_epochs, cfg.min_epochs) == (1, 1, 1)
    assert config_of("--max-epochs", "1", "--quick", "--members", "2").members == 2


def test_without_quick_the_defaults_stand():
    cfg = config_of("--extra-data", "a.npz", "b.npz")
    assert cfg.members == 3 and cfg.max_epochs > 2
    assert cfg.extra_data == ("a.npz", "b.npz")
