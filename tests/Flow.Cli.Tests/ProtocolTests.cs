using System.Text;

namespace Flow.Cli.Tests;

/// <summary>What <c>flow dev</c> answers to requests that never reach an engine operation.</summary>
[TestFixture]
public sealed class ProtocolTests
{
    private DevServer server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => server = await DevServer.StartAsync("--memory");

    [OneTimeTearDown]
    public async Task StopAsync() => await server.DisposeAsync();

    [Test]
    public void The_first_line_is_the_loopback_url_with_the_chosen_port()
    {
        Assert.That(server.Url.ToString().TrimEnd('/'), Does.Match(@"^http://127\.0\.0\.1:\d+$"));
        Assert.That(server.Url.Port, Is.GreaterThan(0));
    }

    [Test]
    public async Task Malformed_json_is_a_serialization_exception()
    {
        var answer = await Swf.CallAsync(server, "ListDomains", "{\"registrationStatus\": ");
        AssertFault(answer, 400, "SerializationException");
    }

    [Test]
    public async Task A_json_array_body_is_a_serialization_exception()
    {
        var answer = await Swf.CallAsync(server, "ListDomains", "[1,2,3]");
        AssertFault(answer, 400, "SerializationException");
    }

    [Test]
    public async Task A_field_of_the_wrong_json_type_is_a_serialization_exception()
    {
        var answer = await Swf.CallAsync(server, "RegisterDomain", "{\"name\": 5, \"workflowExecutionRetentionPeriodInDays\": \"1\"}");
        AssertFault(answer, 400, "SerializationException");
    }

    [Test]
    public async Task An_unknown_target_is_an_unknown_operation_exception()
    {
        var answer = await Swf.SendAsync(server, "{}"u8.ToArray(), "SimpleWorkflowService.LaunchRocket");
        AssertFault(answer, 400, "UnknownOperationException");
    }

    [Test]
    public async Task A_target_of_another_service_is_an_unknown_operation_exception()
    {
        var answer = await Swf.SendAsync(server, "{}"u8.ToArray(), "DynamoDB_20120810.ListTables");
        AssertFault(answer, 400, "UnknownOperationException");
    }

    [Test]
    public async Task A_missing_target_is_an_unknown_operation_exception()
    {
        var answer = await Swf.SendAsync(server, "{}"u8.ToArray(), target: null);
        AssertFault(answer, 400, "UnknownOperationException");
    }

    [TestCase("text/plain")]
    [TestCase("application/xml")]
    [TestCase(null)]
    public async Task A_body_that_is_not_json_by_content_type_is_rejected(string? contentType)
    {
        var answer = await Swf.SendAsync(server, "{}"u8.ToArray(), "SimpleWorkflowService.ListDomains", contentType);
        AssertFault(answer, 400, "SerializationException");
    }

    [Test]
    public async Task A_body_over_one_megabyte_is_rejected_by_its_length()
    {
        var answer = await Swf.SendAsync(server, OversizedBody(), "SimpleWorkflowService.RegisterDomain");
        AssertFault(answer, 400, "ValidationException");
    }

    [Test]
    public async Task A_chunked_body_over_one_megabyte_is_rejected()
    {
        var answer = await Swf.SendAsync(server, OversizedBody(), "SimpleWorkflowService.RegisterDomain", chunked: true);
        AssertFault(answer, 400, "ValidationException");
    }

    [Test]
    public async Task A_huge_announced_length_is_refused_before_any_body_arrives()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.Url.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n" +
            "X-Amz-Target: SimpleWorkflowService.ListDomains\r\nContent-Length: 10000000000\r\n\r\n{"));
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string head = "";
        int n;
        while (!head.Contains('}', StringComparison.Ordinal)
               && (n = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, timeout.Token)) > 0)
            head += Encoding.ASCII.GetString(buffer, 0, n);
        Assert.That(head, Does.StartWith("HTTP/1.1 400"));
        Assert.That(head, Does.Contain("ValidationException"));
    }

    [Test]
    public async Task A_missing_required_field_is_a_validation_exception_naming_it()
    {
        var answer = await Swf.CallAsync(server, "RegisterDomain", "{\"workflowExecutionRetentionPeriodInDays\": \"1\"}");
        AssertFault(answer, 400, "ValidationException");
        // SWF's wording, without .NET's "(Parameter 'name')".
        Assert.That(answer.Json.GetProperty("message").GetString(), Is.EqualTo("name is required."));
    }

    [TestCase("1e12", "1000000000000")]
    [TestCase("-1e12", "-1000000000000")]
    [TestCase("\"NaN\"", "NaN")]
    public async Task An_out_of_range_timestamp_is_a_validation_exception_naming_the_member_and_the_range(string seconds, string shown)
    {
        var answer = await Swf.CallAsync(server, "ListOpenWorkflowExecutions",
            $"{{\"domain\": \"d\", \"startTimeFilter\": {{\"oldestDate\": {seconds}}}}}");
        AssertFault(answer, 400, "ValidationException");
        Assert.That(answer.Json.GetProperty("message").GetString(), Is.EqualTo(
            $"startTimeFilter.oldestDate: {shown} is out of range: epoch seconds must be between -62135596800 and 253402300799 (years 0001 to 9999)."));
    }

    /// <summary>Sends raw bytes on a fresh connection and reads the whole answer (the server closes after it).</summary>
    private async Task<(string Head, string Body)> RawAsync(byte[] request)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.Url.Port);
        await socket.SendAsync(request);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int n;
        while ((n = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, timeout.Token)) > 0)
            received.Write(buffer, 0, n);
        string answer = Encoding.UTF8.GetString(received.ToArray());
        int end = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.That(end, Is.GreaterThan(0), answer);
        return (answer[..end], answer[(end + 4)..]);
    }

    // Requests Kestrel itself refuses before the front sees them (the tester's three): the answer is still SWF's
    // error JSON, with a Content-Length that matches it.
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: SimpleWorkflowService.ListDomains\r\nContent-Length: -1\r\n\r\n{}", 400)]
    [TestCase("POST / HTTP/1.0\r\nHost: h\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: SimpleWorkflowService.ListDomains\r\n\r\n{}", 400)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400)]
    [TestCase("NOT HTTP AT ALL\r\n\r\n", 400)]
    public async Task Malformed_http_that_kestrel_refuses_gets_an_swf_shaped_answer(string request, int status)
    {
        var (head, body) = await RawAsync(Encoding.ASCII.GetBytes(request));
        Assert.That(head, Does.StartWith($"HTTP/1.1 {status} "));
        Assert.That(head, Does.Contain("Content-Type: application/x-amz-json-1.0").And.Contain($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n"));
        using var json = System.Text.Json.JsonDocument.Parse(body);
        Assert.That(json.RootElement.GetProperty("__type").GetString(), Is.EqualTo("com.amazon.coral.service#SerializationException"));
        Assert.That(json.RootElement.GetProperty("message").GetString(), Does.Contain("HTTP"));
    }

    [Test]
    public void Kestrels_timeout_for_headers_is_answered_as_a_timeout_not_as_malformed_http()
    {
        // Kestrel's own answer when headers stall past its 30 s limit (a live test would wait that long).
        var kestrel = "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\nDate: Fri, 04 Dec 2026 10:00:00 GMT\r\n\r\n"u8;

        Assert.That(Flow.Cli.Dev.RejectionBodies.TryRewrite(kestrel, out var rewritten), Is.True);

        var text = Encoding.UTF8.GetString(rewritten);
        var body = text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.That(text, Does.StartWith("HTTP/1.1 408 "));
        using var json = System.Text.Json.JsonDocument.Parse(body);
        Assert.That(json.RootElement.GetProperty("__type").GetString(), Is.EqualTo("com.amazon.coral.service#RequestTimeoutException"));
        Assert.That(json.RootElement.GetProperty("message").GetString(), Does.Contain("did not all arrive in time").And.Not.Contain("Malformed"));
    }

    [Test]
    public async Task Connections_reset_in_the_middle_of_a_body_are_not_logged_as_application_errors()
    {
        // Each one used to log Kestrel's multi-line "automatic draining of the request body failed": any client
        // could flood the server's log.
        const string json = "{\"registrationStatus\":\"REGISTERED\"}";
        var head = $"POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: SimpleWorkflowService.ListDomains\r\nContent-Length: {json.Length + 40000}\r\n\r\n";
        for (var i = 0; i < 40; i++)
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.Url.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes(head + json + new string(' ', 1000 * (i % 20))));
            await Task.Delay(5);
            socket.LingerState = new System.Net.Sockets.LingerOption(true, 0); // close sends a reset
            socket.Close();
        }
        // The server is still there and answers; and nothing about the resets reached its log.
        var answer = await Swf.CallAsync(server, "ListDomains", json);
        Assert.That(answer.Status, Is.EqualTo(200));
        await Task.Delay(500);
        Assert.That(server.StandardError, Does.Not.Contain("draining").And.Not.Contain("fail:"), server.StandardError);
    }

    [Test]
    public async Task A_target_that_is_not_utf8_is_an_unknown_operation_not_a_bodiless_400()
    {
        byte[] body = "{\"registrationStatus\":\"REGISTERED\"}"u8.ToArray();
        byte[] request = [.. Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-amz-json-1.0\r\nConnection: close\r\nX-Amz-Target: SimpleWorkflowService.List"),
            0xE9, .. Encoding.ASCII.GetBytes($"Domains\r\nContent-Length: {body.Length}\r\n\r\n"), .. body];
        var (head, answer) = await RawAsync(request);
        Assert.That(head, Does.StartWith("HTTP/1.1 400 "));
        Assert.That(answer, Does.Contain("UnknownOperationException"));
    }

    [Test]
    public async Task Answers_on_a_kept_alive_connection_pass_through_unchanged()
    {
        // A fault, a success and a fault again on one connection: nothing held back or written twice.
        string Request(string op, string json) =>
            $"POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: SimpleWorkflowService.{op}\r\nContent-Length: {json.Length}\r\n\r\n{json}";
        string all = Request("ListDomains", "{}") + Request("ListDomains", "{\"registrationStatus\":\"REGISTERED\"}")
            + Request("LaunchRocket", "{}").Replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n", StringComparison.Ordinal);
        var (head, rest) = await RawAsync(Encoding.ASCII.GetBytes(all));
        string whole = head + "\r\n\r\n" + rest;
        Assert.That(System.Text.RegularExpressions.Regex.Matches(whole, "HTTP/1.1 ").Count, Is.EqualTo(3), whole);
        Assert.That(whole, Does.Contain("registrationStatus is required.").And.Contain("\"domainInfos\"").And.Contain("UnknownOperationException"));
    }

    // JSON null where the model requires a structure or list, or as a list's element: the request names it.
    [TestCase("StartWorkflowExecution", """{"domain":"d","workflowId":"w","workflowType":null}""", "workflowType")]
    [TestCase("StartWorkflowExecution", """{"domain":"d","workflowId":"w","workflowType":{"name":"n","version":"1"},"tagList":[null]}""", "tagList[0]")]
    [TestCase("RespondDecisionTaskCompleted", """{"taskToken":"x","decisions":[null]}""", "decisions[0]")]
    [TestCase("RespondDecisionTaskCompleted", """{"taskToken":"x","decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityId":"a","activityType":null}}]}""", "activityType")]
    [TestCase("TagResource", """{"resourceArn":"a","tags":[null]}""", "tags[0]")]
    [TestCase("TagResource", """{"resourceArn":"a","tags":null}""", "tags")]
    [TestCase("UntagResource", """{"resourceArn":"a","tagKeys":[null]}""", "tagKeys[0]")]
    [TestCase("UntagResource", """{"resourceArn":"a","tagKeys":null}""", "tagKeys")]
    [TestCase("RegisterDomain", """{"name":"d","workflowExecutionRetentionPeriodInDays":"1","tags":[null]}""", "tags[0]")]
    [TestCase("ListOpenWorkflowExecutions", """{"domain":"d","startTimeFilter":null}""", "startTimeFilter")]
    [TestCase("PollForDecisionTask", """{"domain":"d","taskList":null}""", "taskList")]
    [TestCase("SignalWorkflowExecution", """{"domain":"d","workflowId":"w","signalName":null}""", "signalName")]
    public async Task A_null_where_the_model_requires_a_value_is_a_validation_exception_naming_it(string operation, string body, string member)
    {
        var answer = await Swf.CallAsync(server, operation, body);
        AssertFault(answer, 400, "ValidationException");
        Assert.That(answer.Json.GetProperty("message").GetString(), Does.Contain(member));
        Assert.That(server.StandardError, Is.Empty);
    }

    // An enum is one of the names the model lists; a number (or a numeric string) would be stored as a value
    // no SWF operation knows.
    [TestCase("ListDomains", """{"registrationStatus":0}""")]
    [TestCase("ListDomains", """{"registrationStatus":"1"}""")]
    [TestCase("ListDomains", """{"registrationStatus":"registered"}""")]
    [TestCase("StartWorkflowExecution", """{"domain":"d","workflowId":"w","workflowType":{"name":"n","version":"1"},"childPolicy":7}""")]
    [TestCase("RespondDecisionTaskCompleted", """{"taskToken":"x","decisions":[{"decisionType":3}]}""")]
    // The tester's inputs.
    [TestCase("ListDomains", """{"registrationStatus":5}""")]
    [TestCase("RegisterWorkflowType", """{"domain":"d","name":"W","version":"2","defaultChildPolicy":99}""")]
    [TestCase("StartWorkflowExecution", """{"domain":"d","workflowId":"w","workflowType":{"name":"n","version":"1"},"childPolicy":-3}""")]
    [TestCase("RespondDecisionTaskCompleted", """{"taskToken":"x","decisions":[{"decisionType":42}]}""")]
    public async Task An_enum_value_that_is_not_one_of_its_names_is_a_serialization_exception(string operation, string body)
    {
        AssertFault(await Swf.CallAsync(server, operation, body), 400, "SerializationException");
    }

    // Names and ids may not hold ':', '/', '|' or control characters, nor be "arn" (the API reference, on each such member).
    [TestCase("RegisterDomain", """{"name":"a:b","workflowExecutionRetentionPeriodInDays":"1"}""", "name")]
    [TestCase("RegisterDomain", """{"name":"arn","workflowExecutionRetentionPeriodInDays":"1"}""", "name")]
    [TestCase("RegisterWorkflowType", """{"domain":"d","name":"W","version":"1/2"}""", "version")]
    [TestCase("RegisterActivityType", """{"domain":"d","name":"A|B","version":"1"}""", "name")]
    [TestCase("StartWorkflowExecution", """{"domain":"d","workflowId":"w\u0007","workflowType":{"name":"n","version":"1"}}""", "workflowId")]
    [TestCase("StartWorkflowExecution", """{"domain":"d","workflowId":"w","workflowType":{"name":"n","version":"1"},"taskList":{"name":"a\u0085b"}}""", "taskList.name")]
    [TestCase("PollForDecisionTask", """{"domain":"d","taskList":{"name":"list:host:42"}}""", "taskList.name")]
    [TestCase("PollForActivityTask", """{"domain":"d","taskList":{"name":"a/b"}}""", "taskList.name")]
    [TestCase("RespondDecisionTaskCompleted", """{"taskToken":"x","decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityId":"a:1","activityType":{"name":"A","version":"1"}}}]}""", "activityId")]
    [TestCase("RespondDecisionTaskCompleted", """{"taskToken":"x","decisions":[{"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"t|1","startToFireTimeout":"1"}}]}""", "timerId")]
    [TestCase("RespondDecisionTaskCompleted", """{"taskToken":"x","decisions":[{"decisionType":"StartChildWorkflowExecution","startChildWorkflowExecutionDecisionAttributes":{"workflowId":"p/c","workflowType":{"name":"n","version":"1"}}}]}""", "workflowId")]
    // The tester's names: control characters (NUL, tab, DEL, NEL) and the literal arn, on each kind of name.
    [TestCase("RegisterDomain", """{"name":"a\u0000b","workflowExecutionRetentionPeriodInDays":"1"}""", "name")]
    [TestCase("StartWorkflowExecution", """{"domain":"d","workflowId":"a\tb","workflowType":{"name":"n","version":"1"}}""", "workflowId")]
    [TestCase("RegisterWorkflowType", """{"domain":"d","name":"a\u007fb","version":"1"}""", "name")]
    [TestCase("RegisterActivityType", """{"domain":"d","name":"A","version":"a\u0085b"}""", "version")]
    [TestCase("StartWorkflowExecution", """{"domain":"d","workflowId":"arn","workflowType":{"name":"n","version":"1"}}""", "workflowId")]
    [TestCase("RespondDecisionTaskCompleted", """{"taskToken":"x","decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityId":"arn","activityType":{"name":"A","version":"1"}}}]}""", "activityId")]
    // Task priorities are 32-bit integers.
    [TestCase("StartWorkflowExecution", """{"domain":"d","workflowId":"w","workflowType":{"name":"n","version":"1"},"taskPriority":"not-a-number"}""", "taskPriority")]
    [TestCase("StartWorkflowExecution", """{"domain":"d","workflowId":"w","workflowType":{"name":"n","version":"1"},"taskPriority":"99999999999"}""", "taskPriority")]
    [TestCase("RegisterWorkflowType", """{"domain":"d","name":"W","version":"1","defaultTaskPriority":"-2147483649"}""", "defaultTaskPriority")]
    [TestCase("StartWorkflowExecution", """{"domain":"d","workflowId":"w","workflowType":{"name":"n","version":"1"},"taskPriority":"high"}""", "taskPriority")]
    [TestCase("RegisterActivityType", """{"domain":"d","name":"A","version":"1","defaultTaskPriority":"2147483648"}""", "defaultTaskPriority")]
    [TestCase("RespondDecisionTaskCompleted", """{"taskToken":"x","decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityId":"a","activityType":{"name":"A","version":"1"},"taskPriority":"1.5"}}]}""", "taskPriority")]
    // Tags: letters, digits, whitespace and _ . : / = + - @ only.
    [TestCase("RegisterDomain", """{"name":"d","workflowExecutionRetentionPeriodInDays":"1","tags":[{"key":"team","value":"a&b"}]}""", "tags[0].value")]
    [TestCase("TagResource", """{"resourceArn":"a","tags":[{"key":"k!"}]}""", "tags[0].key")]
    [TestCase("ListOpenWorkflowExecutions", """{"domain":"d","startTimeFilter":{"oldestDate":0},"tagFilter":{"tag":"<t>"}}""", "tagFilter.tag")]
    public async Task A_name_with_a_character_swf_forbids_is_a_validation_exception_naming_it(string operation, string body, string member)
    {
        var answer = await Swf.CallAsync(server, operation, body);
        AssertFault(answer, 400, "ValidationException");
        Assert.That(answer.Json.GetProperty("message").GetString(), Does.Contain(member));
    }

    [Test]
    public async Task Tags_of_letters_digits_spaces_and_the_allowed_symbols_are_accepted()
    {
        var answer = await Swf.CallAsync(server, "RegisterDomain",
            """{"name":"tagged","workflowExecutionRetentionPeriodInDays":"1","tags":[{"key":"équipe 7","value":"a_b.c:d/e=f+g-h@i 中"}]}""");
        Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
    }

    [Test]
    public async Task A_field_over_its_length_limit_is_a_validation_exception()
    {
        string name = new('d', 257);
        var answer = await Swf.CallAsync(server, "RegisterDomain", $"{{\"name\": \"{name}\", \"workflowExecutionRetentionPeriodInDays\": \"1\"}}");
        AssertFault(answer, 400, "ValidationException");
    }

    [Test]
    public async Task Every_answer_carries_a_request_id()
    {
        var answer = await Swf.CallAsync(server, "ListDomains", "not json");
        Assert.That(answer.Headers.TryGetValues("x-amzn-RequestId", out var ids), Is.True);
        Assert.That(ids!.Single(), Is.Not.Empty);
    }

    [Test]
    public async Task A_put_is_refused_with_a_json_error()
    {
        var answer = await Swf.SendAsync(server, "{}"u8.ToArray(), "SimpleWorkflowService.ListDomains", method: HttpMethod.Put);
        Assert.That(answer.Status, Is.InRange(400, 499), answer.ToString());
        Assert.That(answer.ErrorCode, Is.Not.Empty);
    }

    [Test]
    public void Nothing_but_the_url_line_is_written_to_stdout()
    {
        Assert.That(server.LaterOutput, Is.Empty);
    }

    internal static void AssertFault(Swf.Answer answer, int status, string code)
    {
        Assert.That(answer.Status, Is.EqualTo(status), answer.ToString());
        Assert.That(answer.ErrorCode, Is.EqualTo(code), answer.ToString());
        Assert.That(answer.Json.GetProperty("message").GetString(), Is.Not.Empty, answer.ToString());
    }

    private static byte[] OversizedBody()
    {
        var sb = new StringBuilder("{\"name\": \"d\", \"workflowExecutionRetentionPeriodInDays\": \"1\", \"description\": \"");
        sb.Append('x', 1024 * 1024);
        sb.Append("\"}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
