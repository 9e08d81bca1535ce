"""xoxzo"""
