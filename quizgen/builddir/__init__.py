"""The build folder, the contract between building and grading."""
