using System.Collections.Concurrent;
using System.Text;

namespace Flow.Cli.Tests;

/// <summary>Thousands of malformed, mutated and adversarial requests, seeded so a failure replays:
/// every answer is a 2xx or an SWF-shaped 4xx, the server stays up, and a normal workflow runs afterwards.</summary>
[TestFixture]
public sealed class FuzzTests
{
    private const int Requests = 3000;
    private const int Seed = 20261203;

    private static readonly string[] Targets =
    [
        "RegisterDomain", "DescribeDomain", "ListDomains", "DeprecateDomain", "UndeprecateDomain",
        "RegisterWorkflowType", "RegisterActivityType", "DescribeWorkflowType", "DescribeActivityType",
        "ListWorkflowTypes", "ListActivityTypes", "DeprecateWorkflowType", "DeleteActivityType",
        "StartWorkflowExecution", "DescribeWorkflowExecution", "GetWorkflowExecutionHistory",
        "ListOpenWorkflowExecutions", "ListClosedWorkflowExecutions", "CountOpenWorkflowExecutions",
        "CountClosedWorkflowExecutions", "CountPendingDecisionTasks", "CountPendingActivityTasks",
        "PollForDecisionTask", "PollForActivityTask", "RespondDecisionTaskCompleted",
        "RespondActivityTaskCompleted", "RespondActivityTaskFailed", "RespondActivityTaskCanceled",
        "RecordActivityTaskHeartbeat", "SignalWorkflowExecution", "RequestCancelWorkflowExecution",
        "TerminateWorkflowExecution", "TagResource", "UntagResource", "ListTagsForResource",
    ];

    // Plausible bodies the mutations start from; several are valid as they stand.
    private static readonly string[] Seeds =
    [
        """{"name":"fz","workflowExecutionRetentionPeriodInDays":"1"}""",
        """{"name":"fz"}""",
        """{"registrationStatus":"REGISTERED","maximumPageSize":5,"reverseOrder":true}""",
        """{"domain":"fz","name":"W","version":"1","defaultTaskList":{"name":"d"},"defaultExecutionStartToCloseTimeout":"60","defaultTaskStartToCloseTimeout":"10","defaultChildPolicy":"TERMINATE"}""",
        """{"domain":"fz","name":"A","version":"1","defaultTaskList":{"name":"a"},"defaultTaskStartToCloseTimeout":"10","defaultTaskScheduleToStartTimeout":"10","defaultTaskScheduleToCloseTimeout":"20","defaultTaskHeartbeatTimeout":"NONE"}""",
        """{"domain":"fz","workflowId":"w","workflowType":{"name":"W","version":"1"},"input":"x","tagList":["t"],"childPolicy":"ABANDON"}""",
        """{"domain":"fz","execution":{"workflowId":"w","runId":"r"},"maximumPageSize":1000,"reverseOrder":false,"nextPageToken":"abc"}""",
        """{"domain":"fz","startTimeFilter":{"oldestDate":0,"latestDate":1e12},"typeFilter":{"name":"W"},"closeStatusFilter":{"status":"COMPLETED"}}""",
        """{"domain":"fz","taskList":{"name":"d"},"identity":"i","maximumPageSize":10}""",
        """{"taskToken":"tok","decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityType":{"name":"A","version":"1"},"activityId":"a"}},{"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"t","startToFireTimeout":"5"}},{"decisionType":"CompleteWorkflowExecution"}]}""",
        """{"taskToken":"tok","result":"r","details":"d","reason":"why"}""",
        """{"domain":"fz","workflowId":"w","signalName":"s","input":"i","runId":"r","reason":"x","childPolicy":"TERMINATE"}""",
        """{"resourceArn":"arn:aws:swf:us-east-1:000000000000:/domain/fz","tags":[{"key":"k","value":"v"}],"tagKeys":["k"]}""",
        "{}",
    ];

    private static readonly string[] Junk =
    [
        "null", "true", "0", "-1", "1e309", "9223372036854775808", "\"\"", "[]", "{}", "[[[[[[]]]]]]",
        "\"\\u0000\"", "\"\\ud800\"", "[null]", "[{}]", "\"REGISTERED\"", "\"NONE\"", "\"-5\"", "\"99999999999\"", "1.5", "\"\\n\"",
    ];

    [Test]
    public async Task Mutated_requests_get_only_2xx_or_swf_shaped_4xx_and_a_workflow_still_runs()
    {
        await using var server = await DevServer.StartAsync("--memory", "--long-poll-seconds", "0");
        var tokens = await PrepareAsync(server);
        var random = new Random(Seed);
        var requests = new List<(byte[] Body, string? Target, string? ContentType)>(Requests);
        for (int i = 0; i < Requests; i++)
            requests.Add(Make(random, tokens));
        var accepted = new ConcurrentDictionary<string, int>();

        int next = -1;
        var failures = new List<string>();
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests.Count)
            {
                var (body, target, contentType) = requests[i];
                Swf.Answer answer;
                try
                {
                    answer = await Swf.SendAsync(server, body, target, contentType);
                }
                catch (HttpRequestException e)
                {
                    lock (failures) failures.Add($"#{i} {target}: connection failed: {e.Message}");
                    continue;
                }
                if (answer.Status == 200 && target is not null)
                    accepted.AddOrUpdate(target, 1, (_, n) => n + 1);
                string? problem = answer.Status switch
                {
                    >= 200 and < 300 => null,
                    >= 400 and < 500 => HasErrorShape(answer) ? null : "4xx without an SWF error body",
                    _ => "status " + answer.Status,
                };
                if (problem is not null)
                    lock (failures) failures.Add($"#{i} {target} {Encoding.UTF8.GetString(body)[..Math.Min(body.Length, 300)]} → {problem}: {answer}");
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Worker()));

        Assert.That(server.HasExited, Is.False, server.StandardError);
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));

        var run = await Tools.PythonAsync(Boto3Tests.Lifecycle, null, server.Endpoint, "after-fuzz");
        Assert.That(run.Json().GetProperty("closeStatus").GetString(), Is.EqualTo("COMPLETED"));
        TestContext.Out.WriteLine("accepted: " + string.Join(", ", accepted.OrderBy(p => p.Key).Select(p => $"{p.Key[22..]} {p.Value}")));
        // The fuzz reached the engine's state, not only its parsers: some mutated decisions and results were carried out.
        Assert.That(accepted.GetValueOrDefault("SimpleWorkflowService.RespondDecisionTaskCompleted"), Is.Positive);
        Assert.That(accepted.GetValueOrDefault("SimpleWorkflowService.RespondActivityTaskCompleted")
            + accepted.GetValueOrDefault("SimpleWorkflowService.RespondActivityTaskFailed")
            + accepted.GetValueOrDefault("SimpleWorkflowService.RecordActivityTaskHeartbeat"), Is.Positive);
        int executions = await CheckInvariantsAsync(server);
        Assert.That(executions, Is.GreaterThan(Executions));
        Assert.That(server.StandardError, Does.Not.Contain("internal error"));
    }

    private const int Executions = 20;

    /// <summary>Real state for the mutations to hit: the seeds' domain and types, open executions, and the
    /// tokens of started decision and activity tasks (a seed's "tok" becomes one of them).</summary>
    private static async Task<(string[] Decisions, string[] Activities)> PrepareAsync(DevServer server)
    {
        foreach (int seed in (int[])[0, 3, 4])
            Ok(await Swf.CallAsync(server, seed == 0 ? "RegisterDomain" : seed == 3 ? "RegisterWorkflowType" : "RegisterActivityType", Seeds[seed]));
        var decisions = new List<string>();
        for (int i = 0; i < Executions; i++)
        {
            Ok(await Swf.CallAsync(server, "StartWorkflowExecution", $"{{\"domain\":\"fz\",\"workflowId\":\"p{i}\",\"workflowType\":{{\"name\":\"W\",\"version\":\"1\"}}}}"));
            var task = Ok(await Swf.CallAsync(server, "PollForDecisionTask", """{"domain":"fz","taskList":{"name":"d"}}"""));
            decisions.Add(task.Json.GetProperty("taskToken").GetString()!);
        }
        // Half the executions get an activity each, started by a worker.
        var activities = new List<string>();
        for (int i = 0; i < Executions / 2; i++)
        {
            Ok(await Swf.CallAsync(server, "RespondDecisionTaskCompleted", Json(new
            {
                taskToken = decisions[i],
                decisions = new[] { new { decisionType = "ScheduleActivityTask", scheduleActivityTaskDecisionAttributes = new { activityType = new { name = "A", version = "1" }, activityId = "a" } } },
            })));
            var work = Ok(await Swf.CallAsync(server, "PollForActivityTask", """{"domain":"fz","taskList":{"name":"a"}}"""));
            activities.Add(work.Json.GetProperty("taskToken").GetString()!);
        }
        return ([.. decisions[(Executions / 2)..]], [.. activities]);
    }

    /// <summary>What every execution the fuzz left must satisfy, in every domain it left: a history whose
    /// event ids run 1..n from WorkflowExecutionStarted, closed by a close event exactly when the execution
    /// is listed as closed, with at most one decision task open. Returns how many executions it checked.</summary>
    private static async Task<int> CheckInvariantsAsync(DevServer server)
    {
        string[] closeEvents =
        [
            "WorkflowExecutionCompleted", "WorkflowExecutionFailed", "WorkflowExecutionCanceled", "WorkflowExecutionTerminated",
            "WorkflowExecutionTimedOut", "WorkflowExecutionContinuedAsNew",
        ];
        var domains = new List<string>();
        foreach (string status in (string[])["REGISTERED", "DEPRECATED"])
        {
            var list = Ok(await Swf.CallAsync(server, "ListDomains", $"{{\"registrationStatus\":\"{status}\"}}"));
            domains.AddRange(list.Json.GetProperty("domainInfos").EnumerateArray().Select(d => d.GetProperty("name").GetString()!));
        }
        int checkedExecutions = 0;
        foreach (string domain in domains)
        {
            foreach (var (operation, open) in new[] { ("ListOpenWorkflowExecutions", true), ("ListClosedWorkflowExecutions", false) })
            {
                var infos = Ok(await Swf.CallAsync(server, operation, Json(new { domain, startTimeFilter = new { oldestDate = 0 } })));
                foreach (var info in infos.Json.GetProperty("executionInfos").EnumerateArray())
                {
                    var execution = info.GetProperty("execution");
                    string where = $"{domain} {execution}";
                    var events = new List<System.Text.Json.JsonElement>();
                    string? next = null;
                    do
                    {
                        var page = Ok(await Swf.CallAsync(server, "GetWorkflowExecutionHistory", Json(new { domain, execution, nextPageToken = next })));
                        events.AddRange(page.Json.GetProperty("events").EnumerateArray());
                        next = page.Json.TryGetProperty("nextPageToken", out var token) ? token.GetString() : null;
                    }
                    while (next is not null);
                    var types = events.Select(e => e.GetProperty("eventType").GetString()!).ToList();
                    Assert.That(events.Select(e => e.GetProperty("eventId").GetInt64()), Is.EqualTo(Enumerable.Range(1, events.Count).Select(i => (long)i)), where);
                    Assert.That(types[0], Is.EqualTo("WorkflowExecutionStarted"), where);
                    Assert.That(types.Count(closeEvents.Contains), Is.EqualTo(open ? 0 : 1), where);
                    if (!open)
                        Assert.That(closeEvents, Does.Contain(types[^1]), where);
                    var described = Ok(await Swf.CallAsync(server, "DescribeWorkflowExecution", Json(new { domain, execution })));
                    Assert.That(described.Json.GetProperty("executionInfo").GetProperty("executionStatus").GetString(), Is.EqualTo(open ? "OPEN" : "CLOSED"), where);
                    int openDecisions = described.Json.GetProperty("openCounts").GetProperty("openDecisionTasks").GetInt32();
                    // At most one decision task started and one scheduled behind it.
                    int outstanding = types.Count(t => t == "DecisionTaskScheduled") - types.Count(t => t is "DecisionTaskCompleted" or "DecisionTaskTimedOut");
                    Assert.That(outstanding, Is.InRange(0, 2), where);
                    Assert.That(openDecisions, Is.EqualTo(open && outstanding > 0 ? 1 : 0), where);
                    checkedExecutions++;
                }
            }
        }
        return checkedExecutions;
    }

    private static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static Swf.Answer Ok(Swf.Answer answer)
    {
        Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
        return answer;
    }

    [Test]
    public async Task Garbage_on_raw_connections_never_takes_the_server_down()
    {
        await using var server = await DevServer.StartAsync("--memory", "--long-poll-seconds", "0");
        var random = new Random(Seed + 1);
        string[] starts =
        [
            "",
            "POST / HTTP/1.1\r\nHost: x\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: SimpleWorkflowService.ListDomains\r\n\r\nzz\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: SimpleWorkflowService.ListDomains\r\n\r\n{\"a",
            "GET /history?domain=%ZZ&workflowId=\u00ff HTTP/1.1\r\nHost: x\r\n\r\n",
        ];
        await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            byte[] garbage;
            lock (random)
            {
                garbage = new byte[random.Next(0, 2048)];
                random.NextBytes(garbage);
                garbage = [.. Encoding.UTF8.GetBytes(starts[random.Next(starts.Length)]), .. garbage[..random.Next(garbage.Length + 1)]];
            }
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.Url.Port, ct);
            try
            {
                await socket.SendAsync(garbage, System.Net.Sockets.SocketFlags.None, ct);
                socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
                var buffer = new byte[4096];
                using var read = CancellationTokenSource.CreateLinkedTokenSource(ct);
                read.CancelAfter(TimeSpan.FromSeconds(10));
                while (await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, read.Token) > 0)
                {
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                // The server may reset a connection that sent nonsense; that is its right.
            }
            catch (OperationCanceledException)
            {
                // A half-sent request the server is still waiting on: also fine.
            }
        });

        Assert.That(server.HasExited, Is.False, server.StandardError);
        var answer = await Swf.CallAsync(server, "ListDomains", """{"registrationStatus":"REGISTERED"}""");
        Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
    }

    private static bool HasErrorShape(Swf.Answer answer)
    {
        try
        {
            return answer.ErrorCode.Length > 0 && answer.Json.TryGetProperty("message", out _);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The seed each target is usually sent (the rest of the time, any seed).</summary>
    private static int SeedFor(string target) => target switch
    {
        "RegisterDomain" => 0,
        "DescribeDomain" or "DeprecateDomain" or "UndeprecateDomain" => 1,
        "ListDomains" => 2,
        "RegisterWorkflowType" or "DescribeWorkflowType" or "DeprecateWorkflowType" or "ListWorkflowTypes" => 3,
        "RegisterActivityType" or "DescribeActivityType" or "DeleteActivityType" or "ListActivityTypes" => 4,
        "StartWorkflowExecution" => 5,
        "DescribeWorkflowExecution" or "GetWorkflowExecutionHistory" => 6,
        "ListOpenWorkflowExecutions" or "ListClosedWorkflowExecutions" or "CountOpenWorkflowExecutions" or "CountClosedWorkflowExecutions" => 7,
        "CountPendingDecisionTasks" or "CountPendingActivityTasks" or "PollForDecisionTask" or "PollForActivityTask" => 8,
        "RespondDecisionTaskCompleted" => 9,
        "RespondActivityTaskCompleted" or "RespondActivityTaskFailed" or "RespondActivityTaskCanceled" or "RecordActivityTaskHeartbeat" => 10,
        "SignalWorkflowExecution" or "RequestCancelWorkflowExecution" or "TerminateWorkflowExecution" => 11,
        _ => 12,
    };

    private static (byte[] Body, string? Target, string? ContentType) Make(Random random, (string[] Decisions, string[] Activities) tokens)
    {
        string operation = Targets[random.Next(Targets.Length)];
        string target = "SimpleWorkflowService." + operation;
        string? contentType = "application/x-amz-json-1.0";
        switch (random.Next(40))
        {
            case 0: target = "SimpleWorkflowService." + RandomText(random, 12, HeaderAlphabet); break;
            case 1: target = RandomText(random, 20, HeaderAlphabet); break;
            case 2: contentType = random.Next(2) == 0 ? null : "text/" + RandomText(random, 5, HeaderAlphabet); break;
            case 3: contentType = "application/json; charset=utf-8"; break;
        }

        string body = Seeds[random.Next(2) == 0 ? SeedFor(operation) : random.Next(Seeds.Length)];
        string[] pool = operation == "RespondDecisionTaskCompleted" ? tokens.Decisions : tokens.Activities;
        body = body.Replace("\"tok\"", "\"" + pool[random.Next(pool.Length)] + "\"", StringComparison.Ordinal);
        int mutations = random.Next(4);
        for (int m = 0; m < mutations; m++)
            body = Mutate(random, body);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        if (random.Next(12) == 0 && bytes.Length > 0)
        {
            // Raw byte damage, including invalid UTF-8.
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }
        if (random.Next(10) == 0 && bytes.Length > 1)
            bytes = bytes[..random.Next(bytes.Length)];
        return (bytes, target, contentType);
    }

    private static string Mutate(Random random, string body)
    {
        switch (random.Next(6))
        {
            case 0:
            case 5:
            {
                // Replace a value (after a colon) with junk; often with null, which no C# type keeps out of a member.
                int colon = NthIndex(body, ':', random);
                if (colon < 0) return body;
                int end = colon + 1;
                int depth = 0;
                bool inString = false;
                for (; end < body.Length; end++)
                {
                    char c = body[end];
                    if (inString) { if (c == '\\') end++; else if (c == '"') inString = false; continue; }
                    if (c == '"') inString = true;
                    else if (c is '{' or '[') depth++;
                    else if (c is '}' or ']') { if (depth == 0) break; depth--; }
                    else if (c == ',' && depth == 0) break;
                }
                string junk = random.Next(3) == 0 ? "null" : random.Next(3) == 0 ? "[null]" : Junk[random.Next(Junk.Length)];
                return body[..(colon + 1)] + junk + body[end..];
            }
            case 1:
                // A long string value: over SWF's field limits.
                return body.Replace("\"x\"", "\"" + new string('x', random.Next(2) == 0 ? 40_000 : 300) + "\"", StringComparison.Ordinal)
                           .Replace("\"fz\"", "\"" + new string('f', 300) + "\"", StringComparison.Ordinal);
            case 2:
            {
                // Remove a field's name (a missing or misspelled member).
                int quote = NthIndex(body, '"', random);
                return quote < 0 ? body : body.Insert(quote + 1, "_");
            }
            case 3:
                return body.Insert(random.Next(body.Length + 1), RandomText(random, random.Next(1, 6)));
            default:
                // Deep nesting.
                return random.Next(2) == 0 ? new string('[', 2000) + body : "{\"a\":" + new string('{', 100) + body;
        }
    }

    private static int NthIndex(string s, char c, Random random)
    {
        int count = s.Count(x => x == c);
        if (count == 0) return -1;
        int n = random.Next(count), at = -1;
        for (int i = 0; i <= n; i++) at = s.IndexOf(c, at + 1);
        return at;
    }

    // HttpClient refuses non-ASCII header values before sending, so headers get printable ASCII only.
    private const string HeaderAlphabet = "abcXYZ019{}[]\":,.-_ ";
    private const string BodyAlphabet = "abcXYZ019{}[]\":,.\\ \u00e9\u4e2d";

    private static string RandomText(Random random, int length, string alphabet = BodyAlphabet)
    {
        var sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) sb.Append(alphabet[random.Next(alphabet.Length)]);
        return sb.ToString();
    }
}
