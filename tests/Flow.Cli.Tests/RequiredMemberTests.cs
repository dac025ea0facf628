using System.Text.Json;

namespace Flow.Cli.Tests;

/// <summary>
/// Every member the SWF service model (botocore's, as installed) marks required, in every operation's input and in
/// every structure a request can carry: left out of an otherwise well-formed request, flow dev answers
/// ValidationException naming it, as SWF does, before anything else happens.
/// </summary>
[TestFixture]
public sealed class RequiredMemberTests
{
    // Builds, per operation, the smallest request the model allows (required members only; then each optional
    // structure or list of structures added in turn), and one request per required member with that member
    // removed. Posts them raw (boto3 would refuse to send them) and prints what came back.
    private const string Script = """
        import sys, json, glob, gzip, os, copy, urllib.request, urllib.error, botocore
        endpoint = sys.argv[1]
        path = glob.glob(os.path.join(os.path.dirname(botocore.__file__), "data/swf/2012-01-25/service-2.json*"))[0]
        model = json.load(gzip.open(path) if path.endswith(".gz") else open(path))
        shapes = model["shapes"]

        def value(name, depth=0):
            s = shapes[name]
            t = s["type"]
            if t == "string":
                return s["enum"][0] if "enum" in s else "1" * max(1, s.get("min", 1))
            if t in ("integer", "long"):
                return max(1, s.get("min", 1))
            if t == "boolean":
                return False
            if t == "timestamp":
                return 0
            if t == "list":
                return [value(s["member"]["shape"], depth + 1)]
            return {m: value(ms["shape"], depth + 1) for m, ms in s["members"].items() if m in s.get("required", [])}

        def post(op, body):
            request = urllib.request.Request(endpoint, data=json.dumps(body).encode(), method="POST", headers={
                "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "SimpleWorkflowService." + op})
            try:
                with urllib.request.urlopen(request, timeout=30) as r:
                    return r.status, json.loads(r.read() or b"{}")
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read() or b"{}")

        def structure_of(name):
            s = shapes[name]
            if s["type"] == "list":
                return s["member"]["shape"] if shapes[s["member"]["shape"]]["type"] == "structure" else None
            return name if s["type"] == "structure" else None

        cases = []
        def walk(op, body, holder, shape, at, seen):
            # holder: the dict in body standing for `shape`, found at path `at`
            s = shapes[shape]
            for m, ms in s["members"].items():
                where = (at + "." if at else "") + m
                if m in s.get("required", []):
                    without = copy.deepcopy(body)
                    target = lookup(without, at)
                    del target[m]
                    cases.append((op, where, without))
                inner = structure_of(ms["shape"])
                if inner is None or inner in seen:
                    continue
                # Recurse into the member (added with its required members if it is optional).
                grown = copy.deepcopy(body)
                target = lookup(grown, at)
                if m not in target:
                    target[m] = value(ms["shape"])
                inner_at = where + ("[0]" if shapes[ms["shape"]]["type"] == "list" else "")
                walk(op, grown, None, inner, inner_at, seen | {inner})

        def lookup(body, at):
            node = body
            if not at:
                return node
            for part in at.split("."):
                if part.endswith("[0]"):
                    node = node[part[:-3]][0]
                else:
                    node = node[part]
            return node

        base = {}
        for op, o in sorted(model["operations"].items()):
            shape = o["input"]["shape"]
            body = value(shape)
            base[op] = post(op, body)
            walk(op, body, None, shape, "", {shape})

        results = []
        for op, where, body in cases:
            status, answer = post(op, body)
            results.append({"op": op, "member": where, "status": status,
                            "type": answer.get("__type", ""), "message": answer.get("message", "")})
        print(json.dumps({"base": {op: {"status": s, "type": a.get("__type", ""), "message": a.get("message", "")} for op, (s, a) in base.items()},
                          "cases": results}))
        """;

    [Test]
    public async Task Each_required_member_left_out_is_a_ValidationException_naming_it()
    {
        await using var server = await DevServer.StartAsync("--memory", "--long-poll-seconds", "0");
        var result = await Tools.PythonAsync(Script, null, server.Endpoint + "/");
        JsonElement json = result.Json();

        // The smallest complete requests fail later, if at all (unknown domain, token ...), never for a missing member.
        foreach (var op in json.GetProperty("base").EnumerateObject())
            Assert.That(op.Value.GetProperty("message").GetString(), Does.Not.Contain("is required"), op.Name);

        var cases = json.GetProperty("cases").EnumerateArray().ToList();
        Assert.That(cases.Select(c => c.GetProperty("op").GetString()).Distinct().Count(), Is.EqualTo(39), "every operation has a required member");
        // Members the tester found unchecked, among all the others.
        var members = cases.Select(c => $"{c.GetProperty("op").GetString()} {c.GetProperty("member").GetString()}").ToList();
        Assert.That(members, Is.SupersetOf(new[]
        {
            "ListDomains registrationStatus", "ListActivityTypes registrationStatus", "ListWorkflowTypes registrationStatus",
            "ListOpenWorkflowExecutions startTimeFilter", "ListOpenWorkflowExecutions startTimeFilter.oldestDate",
            "RespondDecisionTaskCompleted decisions[0].decisionType", "TagResource tags",
            "RespondDecisionTaskCompleted decisions[0].scheduleActivityTaskDecisionAttributes.activityType.name",
            "ListClosedWorkflowExecutions closeStatusFilter.status",
        }));
        Assert.Multiple(() =>
        {
            foreach (var c in cases)
            {
                string what = $"{c.GetProperty("op").GetString()} without {c.GetProperty("member").GetString()}";
                Assert.That(c.GetProperty("status").GetInt32(), Is.EqualTo(400), what);
                Assert.That(c.GetProperty("type").GetString(), Does.EndWith("#ValidationException"), what);
                Assert.That(c.GetProperty("message").GetString(), Does.Contain(c.GetProperty("member").GetString() + " is required"), what);
            }
        });
        TestContext.Out.WriteLine($"{cases.Count} requests, each without one required member");
    }
}
