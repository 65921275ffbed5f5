"""Conformance runner: replays the AWS-recorded LocalStack corpus against stepfiber (issue #3).

Modules:

* :mod:`.corpus`    - locating and loading cases, classifying them (headline groups, skips);
* :mod:`.normalise` - snapshot transformers, global normalisers, placeholder-aware comparison;
* :mod:`.services`  - Python task handlers standing in for Lambda and ``.waitForTaskToken`` integrations;
* :mod:`.runner`    - running one case on a manual-clock client, aggregating, tables, floor;
* :mod:`.report`    - command-line report (``python tests/python/conformance/report.py``).
"""
