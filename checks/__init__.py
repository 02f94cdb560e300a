"""The four-property check engine (四性检测): DA/T 70 check items, stage plans, reports."""
