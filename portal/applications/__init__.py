"""Online applications: training, mentoring and guarantee loans, from draft to decision."""
