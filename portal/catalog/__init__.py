"""The public catalog: counties, units, incubation bases, demonstration parks and projects, mentors."""
