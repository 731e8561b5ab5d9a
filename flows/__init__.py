"""ilacs-pia: pre-inspection analysis for Ofsted ILACS inspections."""
