"""future_imports.py: a program written for Python 2 and 3 alike starts with `from __future__
import ...`; Python 3 (and gilsim) take it, and the names it binds are __future__'s features.
  python3 tests/python/future_imports.py
  gilsim run tests/python/future_imports.py --engine sim
"""
from __future__ import absolute_import, division
from __future__ import (print_function,
                        unicode_literals as text_literals)

import __future__
import threading

print(7 / 2, 7 // 2)
print(division)
print(text_literals.getMandatoryRelease())
print(__future__.annotations.getOptionalRelease(), __future__.annotations.getMandatoryRelease())
print(len(__future__.all_feature_names), __future__.CO_FUTURE_DIVISION)

results = []
t = threading.Thread(target=lambda: results.append(1 / 4))
t.start()
t.join()
print(results)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: 3.5 3
# expect: _Feature((2, 2, 0, 'alpha', 2), (3, 0, 0, 'alpha', 0), 131072)
# expect: (3, 0, 0, 'alpha', 0)
# expect: (3, 7, 0, 'beta', 1) None
# expect: 10 131072
# expect: [0.25]
