"""The pytest plugin: the fixtures, their isolation, and where their options come from."""

from conftest import SEED, two_stages


def test_the_fixture_takes_its_options_from_pipesim_options(pipesim):
    assert pipesim.health()["seed"] == SEED
    cp = pipesim.client()
    cp.create_pipeline(pipeline=two_stages("Kept"))
    cp.start_pipeline_execution(name="Kept")
    pipesim.advance(0)  # virtual time: only this call could move it


def test_each_test_starts_from_an_empty_server(pipesim):
    # The test before this one created a pipeline; the fixture reset it away.
    assert pipesim.client().list_pipelines()["pipelines"] == []


def test_the_session_server_is_one_server(pipesim, pipesim_server):
    assert pipesim is pipesim_server


PLUGIN_TEST = """
def test_seed(pipesim):
    assert pipesim.health()["seed"] == {seed}
"""


def test_the_seed_comes_from_the_ini_file(pytester):
    pytester.makeini("[pytest]\npipesim_seed = 21\n")
    pytester.makepyfile(PLUGIN_TEST.format(seed=21))
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_the_seed_comes_from_the_command_line_over_the_ini_file(pytester):
    pytester.makeini("[pytest]\npipesim_seed = 21\n")
    pytester.makepyfile(PLUGIN_TEST.format(seed=5))
    pytester.runpytest_subprocess("--pipesim-seed", "5").assert_outcomes(passed=1)
