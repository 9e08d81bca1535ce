"""What several test modules share that is not a fixture: strategies, constants and the e2e tier's
way to run the tool. No test module imports another test module; they import from here."""
