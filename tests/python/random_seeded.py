# random_seeded.py: the random module with a seed gives the same numbers on every run (and
# gilsim's are CPython's own: the same Mersenne Twister, the same algorithms).
#   python3 tests/python/random_seeded.py
#   gilsim run tests/python/random_seeded.py --engine sim
import random

random.seed(42)
print(random.random())
print(random.randint(1, 100), random.randrange(0, 100, 5), random.randrange(10))
print(round(random.uniform(1.5, 2.5), 6))
deck = list(range(10))
random.shuffle(deck)
print(deck)
print(random.choice("abcdefg"), random.sample(range(100), 5))
print(random.choices(["red", "green", "blue"], k=6))
print(random.getrandbits(20))

rng = random.Random(2024)
print([rng.randint(1, 6) for _ in range(10)])
rng2 = random.Random(2024)
print("same seed, same stream:", [rng2.randint(1, 6) for _ in range(10)] == [4, 2, 6, 5, 3, 2, 6, 4, 6, 3])
state = random.getstate()
first = random.random()
random.setstate(state)
print("getstate/setstate replay:", random.random() == first)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: 0.6394267984578837
# expect: 4 40 3
# expect: 1.723211
# expect: [7, 2, 5, 6, 0, 3, 4, 9, 8, 1]
# expect: b [64, 77, 3, 71, 25]
# expect: ['blue', 'blue', 'green', 'green', 'red', 'blue']
# expect: 795667
# expect: [4, 2, 6, 5, 3, 2, 6, 4, 6, 3]
# expect: same seed, same stream: True
# expect: getstate/setstate replay: True
