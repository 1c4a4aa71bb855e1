"""Below everything else: small pieces that models and services share and that import
nothing of ours."""
