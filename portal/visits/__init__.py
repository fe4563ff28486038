"""创业导师乡村行: mentors book visits to townships, parks and enterprises; entrepreneurs sign up."""
