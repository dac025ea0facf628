#!/usr/bin/env python3
"""Writes sigv4.json: SigV4 Authorization headers that botocore computes for SWF JSON 1.0
requests, so the .NET client's signing path can be compared with it byte for byte.

Run from this folder:  python3 make_sigv4_vectors.py > sigv4.json
Credentials are the dummy ones from the AWS documentation; nothing is sent anywhere.
"""
import datetime
import hashlib
import json
from unittest import mock

import botocore
import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/session+token=="
SIGNED_AT = datetime.datetime(2015, 8, 30, 12, 36, 0)

CASES = [
    # name, endpoint, region, operation, body, session token
    ("register-domain", "http://127.0.0.1:8080/", "us-east-1", "RegisterDomain",
     '{"name":"orders","workflowExecutionRetentionPeriodInDays":"1"}', None),
    ("poll-with-session-token", "http://127.0.0.1:8080/", "us-east-1", "PollForDecisionTask",
     '{"domain":"orders","taskList":{"name":"main"},"identity":"worker-1"}', SESSION_TOKEN),
    ("default-endpoint-other-region", "https://swf.eu-west-1.amazonaws.com/", "eu-west-1", "ListDomains",
     '{"registrationStatus":"REGISTERED"}', None),
    ("unicode-body-with-token", "https://swf.us-west-2.amazonaws.com/", "us-west-2", "SignalWorkflowExecution",
     '{"domain":"d","workflowId":"w","signalName":"s","input":"caf\u00e9 \u2713"}', SESSION_TOKEN),
]


def sign(endpoint, region, operation, body, token):
    data = body.encode("utf-8")
    request = AWSRequest(method="POST", url=endpoint, data=data, headers={
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "SimpleWorkflowService." + operation,
        # AWSSDK.Core's signer always sends and signs the payload hash; botocore signs any header
        # present, so giving it the same header makes both sign the same set.
        "X-Amz-Content-SHA256": hashlib.sha256(data).hexdigest(),
    })
    credentials = Credentials(ACCESS_KEY, SECRET_KEY, token)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=SIGNED_AT):
        SigV4Auth(credentials, "swf", region).add_auth(request)
    return request.headers


vectors = []
for name, endpoint, region, operation, body, token in CASES:
    headers = sign(endpoint, region, operation, body, token)
    vectors.append({
        "name": name,
        "endpoint": endpoint,
        "region": region,
        "operation": operation,
        "body": body,
        "accessKey": ACCESS_KEY,
        "secretKey": SECRET_KEY,
        "sessionToken": token,
        "signedAt": SIGNED_AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "expected": {
            "Authorization": headers["Authorization"],
            "X-Amz-Date": headers["X-Amz-Date"],
            "X-Amz-Security-Token": headers.get("X-Amz-Security-Token"),
        },
    })

print(json.dumps({"botocore": botocore.__version__, "service": "swf", "vectors": vectors}, indent=2, ensure_ascii=False))
