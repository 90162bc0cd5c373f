"""Mission intersection: how well another organization's work meets ours, with the reasons
in plain words. Sits beside agenda, above events: it reads the directory and knows no pages."""
