"""Figures (统计) and the half-year reports."""
