"""Building an exam: the spec and roster, each student's paper assembled from the bank, and the
pages (HTML and PDF papers, worked solutions, the key) rendered and written to a build folder."""
