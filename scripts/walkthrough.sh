#!/usr/bin/env bash
# The README's "Five minutes with curl", run against a service (default http://localhost:5080, the Development key).
# Between the two marker lines this file is the README's code block, character for character; a test
# (WalkthroughTests) checks they agree and runs this script against the real service.
set -euo pipefail
BASE=${1:-http://localhost:5080}
# --- README walkthrough begins ---
KEY=rk_dev_local_only_key
BASE=${BASE:-http://localhost:5080}; API=$BASE/api/v1
DAY1=$(date -u -d '3 days ago' +%Y-%m-%d); DAY2=$(date -u -d '2 days ago' +%Y-%m-%d)

# 1. The store's orders (canonical JSON: an array, {"orders": [...]}, or one order).
curl -s -X POST $API/sources/store/orders -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -d '[
  {"orderId": "450789469", "orderNumber": "#1001", "customerEmail": "bob@example.com", "orderDate": "'$DAY1'T12:00:00-05:00",
   "currency": "USD", "total": "598.94", "tax": "28.94", "shipping": "10.00", "status": "paid", "platform": "shopify",
   "lines": [{"sku": "TEE-BLK-M", "name": "Tee", "quantity": 2, "unitPrice": "280.00"}]},
  {"orderId": "450789470", "orderNumber": "#1002", "customerEmail": "ann@example.com", "orderDate": "'$DAY2'T09:30:00Z",
   "currency": "USD", "total": "45.00", "status": "paid", "platform": "shopify"},
  {"orderId": "450789471", "orderNumber": "#1003", "total": "n/a"}
]'; echo
# → 201 {"batchId": "...", "source": "store", "format": "canonical", "received": 3, "inserted": 2, "updated": 0, "unchanged": 0,
#        "rejected": 1, "skipped": 0, "repeated": 0,
#        "errors": [{"index": 2, "orderId": "450789471", "field": "total", "message": "Must be a number or a numeric string, not \"n/a\".", "line": null}],
#        "warnings": []}

# 2. Keap's orders (the store reference is in the title the connector wrote).
curl -s -X POST $API/sources/keap/orders -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -d '[
  {"orderId": "8812", "orderNumber": "Shopify Order #1001", "customerEmail": "Bob@Example.com ", "orderDate": "'$DAY1'T17:02:00Z",
   "currency": "USD", "total": "560.00", "status": "PAID", "lines": [{"sku": "TEE-BLK-M", "name": "Tee", "quantity": 2, "unitPrice": "280.00"}]}
]'; echo
# → 201 {"batchId": "...", "source": "keap", "format": "canonical", "received": 1, "inserted": 1, "rejected": 0, ...}

# 3. Start a run (default window: the last 30 days): 202 with a Location to poll until it is neither queued nor running.
RUN=$(curl -s -i -X POST $API/runs -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -d '{"label": "first try"}' | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
while curl -s $BASE$RUN -H "X-Api-Key: $KEY" | grep -Eq '"status":"(queued|running)"'; do sleep 1; done
curl -s $BASE$RUN -H "X-Api-Key: $KEY"; echo
# → {"id": "...", "status": "succeeded", "label": "first try", "storeOrders": 2, "keapOrders": 1, "matched": 1, "pending": 0,
#    "discrepancies": 2, "byCategory": {"missing_in_keap": 1, "amount_mismatch": 1}, "bySeverity": {"medium": 2}, "impact": 83.94,
#    "window": {"storeOrders": 2, "keapOrders": 1, "storeRevenue": 643.94, "keapRevenue": 560, "matchRate": 0.5},
#    "cutoff": "<the run's start>", "pendingAfter": "<an hour before>", "notExpectedInKeap": 0, "notExpectedInStore": 0,
#    "syncLag": {"store": {"newestOrder": "<DAY2>T09:30:00Z", "behindHours": 0, ...},
#                "keap": {"newestOrder": "<DAY1>T17:02:00Z", "behindHours": 16.47, ...}},
#    "newDiscrepancies": 2, "reopenedDiscrepancies": 0, "persistingDiscrepancies": 0, "autoResolved": 0,
#    "progress": {"phase": "done", "processed": 2, "total": 2}, "error": null,
#    "summary": "1 amount differs; 1 of 2 store orders is missing in Keap; money at stake 83.94."}

# 4. The run's discrepancies: most severe first, then by money at stake; the nested cause and action are also flat fields.
curl -s $BASE$RUN/discrepancies -H "X-Api-Key: $KEY"; echo
# → {"items": [
#     {"id": 1, "category": "missing_in_keap", "severity": "medium", "state": "open", "orderKey": "1002", "impact": 45,
#      "cause": {"code": "sync_stopped", ...}, "suggestedAction": {"code": "create_in_keap", "system": "keap",
#                "values": {"orderTitle": "Shopify Order #1002", "total": 45, ...}},
#      "causeCode": "sync_stopped", "causeText": "Keap has no order dated after <DAY1>T17:02:00Z, and store order 1002 is newer:
#       the sync to Keap stopped or lost this order.", "actionCode": "create_in_keap", "actionSystem": "keap", ...},
#     {"id": 2, "category": "amount_mismatch", "severity": "medium", "state": "open", "orderKey": "1001", "field": "total",
#      "storeValue": "598.94", "keapValue": "560.00", "difference": 38.94, "impact": 38.94,
#      "suggestedAction": {"code": "update_keap", "system": "keap", "values": {"orderId": "8812", "field": "total", "value": 598.94}},
#      "causeCode": "tax_or_shipping_not_synced", "causeText": "The Keap total 560.00 is the store total 598.94 less tax 28.94 and
#       shipping 10.00: those lines were not synced to Keap.", "actionCode": "update_keap", "actionSystem": "keap", ...}],
#    "nextCursor": null}

# 5. Resolve the amount mismatch (its id from step 4); its history records who did what.
ID=$(curl -s "$BASE$RUN/discrepancies?category=amount_mismatch" -H "X-Api-Key: $KEY" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
curl -s -X POST $API/discrepancies/$ID/resolution -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' \
  -d '{"action": "updated_in_keap", "note": "Added tax and shipping lines", "resolvedBy": "ana@example.com"}'; echo
# → {"id": 2, "state": "resolved", ..., "resolution": {"action": "updated_in_keap", "note": "Added tax and shipping lines",
#    "resolvedBy": "ana@example.com", "resolvedAt": "..."}, ...}
curl -s $API/discrepancies/$ID/history -H "X-Api-Key: $KEY"; echo
# → [{"id": ..., "kind": "created", "actor": "system", "toState": "open", ...},
#    {"id": ..., "kind": "state_changed", "actor": "ana@example.com", "fromState": "open", "toState": "resolved", "action": "updated_in_keap", ...}]
# --- README walkthrough ends ---
