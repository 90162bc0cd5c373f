"""vCard (.vcf): the content-line reader, the parser into records, and the card writer."""
