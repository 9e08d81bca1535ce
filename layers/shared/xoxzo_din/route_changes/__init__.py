"""route_changes"""
