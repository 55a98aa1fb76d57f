"""Supervision (督办): the deadline sweep, supervision orders and the deadline board."""
