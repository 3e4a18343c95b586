"""The notebook Campaign Lab replaces (issue 15, target 1): pandas reads and cleans Online Retail, computes the monthly
table, acquisition cohorts and RFM, then scikit-learn sweeps KMeans(n_init=10) for k = 2..10 with silhouettes.
Run by bench/ready.ts as `python3 bench/notebook.py FILE`; prints the seconds per stage as one JSON line."""
import json
import sys
import time

t0 = time.perf_counter()
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

seconds = {"imports": time.perf_counter() - t0}
t = time.perf_counter()
df = pd.read_csv(sys.argv[1], encoding="ISO-8859-1", dtype={"CustomerID": str, "InvoiceNo": str, "StockCode": str})
df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"], format="%m/%d/%Y %H:%M")
seconds["read"] = time.perf_counter() - t

t = time.perf_counter()
df = df.drop_duplicates()
cancelled = df["InvoiceNo"].str.startswith("C")
returns = df[cancelled]
sales = df[~cancelled & ~df["InvoiceNo"].str.startswith("A") & (df["Quantity"] > 0) & (df["UnitPrice"] > 0)].copy()
sales["Amount"] = sales["Quantity"] * sales["UnitPrice"]
sales["Month"] = sales["InvoiceDate"].dt.to_period("M")
customers = sales.dropna(subset=["CustomerID"])
monthly = sales.groupby("Month").agg(revenue=("Amount", "sum"), orders=("InvoiceNo", "nunique"))
monthly["customers"] = customers.groupby("Month")["CustomerID"].nunique()
first = customers.groupby("CustomerID")["Month"].min().rename("Cohort")
c = customers.join(first, on="CustomerID")
c["Age"] = (c["Month"] - c["Cohort"]).apply(lambda d: d.n)
cohorts = c.groupby(["Cohort", "Age"])["CustomerID"].nunique().unstack(fill_value=0)
retention = cohorts.div(cohorts[0], axis=0)
snapshot = customers["InvoiceDate"].max().normalize()
rfm = customers.groupby("CustomerID").agg(
    recency=("InvoiceDate", lambda d: (snapshot - d.max().normalize()).days),
    frequency=("InvoiceNo", "nunique"),
    monetary=("Amount", "sum"),
)
for col, labels in (("recency", [5, 4, 3, 2, 1]), ("frequency", [1, 2, 3, 4, 5]), ("monetary", [1, 2, 3, 4, 5])):
    rfm[col[0].upper()] = pd.qcut(rfm[col].rank(method="first"), 5, labels=labels).astype(int)
seconds["clean_monthly_cohorts_rfm"] = time.perf_counter() - t

t = time.perf_counter()
z = StandardScaler().fit_transform(np.log1p(rfm[["recency", "frequency", "monetary"]].clip(lower=0)))
sweep = []
for k in range(2, 11):
    km = KMeans(n_clusters=k, n_init=10, random_state=42).fit(z)
    sweep.append({"k": k, "inertia": float(km.inertia_), "silhouette": float(silhouette_score(z, km.labels_))})
seconds["kmeans_sweep"] = time.perf_counter() - t
seconds["total"] = time.perf_counter() - t0
print(json.dumps({"customers": int(len(rfm)), "months": int(len(monthly)), "cohorts": int(len(retention)), "seconds": seconds, "sweep": sweep}))
