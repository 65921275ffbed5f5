"""The official JSONata test suite (jsonata-js 2.2.2 corpus, 2.0.6 baseline) run through stepfiber.jsonata."""
