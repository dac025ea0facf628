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
        "\"\\u0000\"", "\"\\ud800\"", "\"REGISTERED\"", "\"NONE\"", "\"-5\"", "\"99999999999\"", "1.5", "\"\\n\"",
    ];

    [Test]
    public async Task Mutated_requests_get_only_2xx_or_swf_shaped_4xx_and_a_workflow_still_runs()
    {
        await using var server = await DevServer.StartAsync("--memory", "--long-poll-seconds", "0");
        var random = new Random(Seed);
        var requests = new List<(byte[] Body, string? Target, string? ContentType)>(Requests);
        for (int i = 0; i < Requests; i++)
            requests.Add(Make(random));

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

    private static (byte[] Body, string? Target, string? ContentType) Make(Random random)
    {
        string target = "SimpleWorkflowService." + Targets[random.Next(Targets.Length)];
        string? contentType = "application/x-amz-json-1.0";
        switch (random.Next(40))
        {
            case 0: target = "SimpleWorkflowService." + RandomText(random, 12, HeaderAlphabet); break;
            case 1: target = RandomText(random, 20, HeaderAlphabet); break;
            case 2: contentType = random.Next(2) == 0 ? null : "text/" + RandomText(random, 5, HeaderAlphabet); break;
            case 3: contentType = "application/json; charset=utf-8"; break;
        }

        string body = Seeds[random.Next(Seeds.Length)];
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
        switch (random.Next(5))
        {
            case 0:
            {
                // Replace a value (after a colon) with junk.
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
                return body[..(colon + 1)] + Junk[random.Next(Junk.Length)] + body[end..];
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
