"""Small invented sales tables (fact sheet E6 and variations); no shared data is copied."""

import pandas as pd


def e6_home() -> pd.DataFrame:
    """Fact sheet E6 home-market table (invented)."""
    rows = [("A", 100, 110), ("A", 100, 105), ("A", 50, 90), ("A", 50, 92),
            ("B", 200, 130), ("B", 100, 125), ("B", 20, 118)]
    return pd.DataFrame({
        "sale_id": [f"H{i + 1}" for i in range(len(rows))],
        "connum": [r[0] for r in rows], "quantity": [r[1] for r in rows],
        "net_price": [r[2] for r in rows], "customer": [f"C{i + 1}" for i in range(len(rows))],
        "affiliated": ["false"] * len(rows), "period": ["POI"] * len(rows),
    })


def e6_us() -> pd.DataFrame:
    """Fact sheet E6 U.S. table (EP, net; invented). One customer and one period."""
    rows = [("A", "East", 100, 100), ("A", "East", 100, 102), ("A", "West", 100, 112),
            ("A", "West", 100, 110), ("A", "West", 100, 111), ("B", "East", 200, 120),
            ("B", "West", 100, 130), ("B", "West", 100, 129)]
    return pd.DataFrame({
        "sale_id": [f"U{i + 1}" for i in range(len(rows))],
        "connum": [r[0] for r in rows], "quantity": [r[2] for r in rows],
        "net_price": [r[3] for r in rows], "customer": ["K1"] * len(rows),
        "region": [r[1] for r in rows], "period": ["POI"] * len(rows),
    })


def e6_cost() -> pd.DataFrame:
    """Fact sheet E6 COP per unit: A = 95, B = 120."""
    return pd.DataFrame({"connum": ["A", "B"], "cost_of_production": [95.0, 120.0]})
