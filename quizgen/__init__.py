"""quizgen: randomized deep-learning exams whose answers come from reference_impl."""

__version__ = "0.1.0"
