"""route_checks"""
