"""routes_table"""
