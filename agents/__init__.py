"""Customers: the Mesa agent view and personas."""
