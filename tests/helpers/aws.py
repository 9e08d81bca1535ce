"""The AWS region of every test (moto's): tests/conftest.py sets AWS_REGION to it."""

REGION = "ap-northeast-1"
