using System.Diagnostics;

namespace Flow.Cli.Tests;

/// <summary>Starting, stopping and restarting <c>flow dev</c>: clean exits and a store that keeps what it acknowledged.</summary>
[TestFixture]
public sealed class LifetimeTests
{
    private string folder = null!;

    [SetUp]
    public void CreateFolder() => folder = Directory.CreateTempSubdirectory("flow-cli-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task Sigterm_stops_the_server_with_exit_code_zero()
    {
        await using var server = await DevServer.StartAsync("--memory");
        Assert.That(await server.TerminateAsync(TimeSpan.FromSeconds(20)), Is.Zero, server.StandardError);
        Assert.That(server.StandardError, Is.Empty);
    }

    [Test]
    public async Task Sigint_stops_the_server_with_exit_code_zero()
    {
        await using var server = await DevServer.StartAsync("--memory");
        using (var kill = Process.Start("kill", ["-INT", server.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        Assert.That(await server.TerminateAsync(TimeSpan.FromSeconds(20)), Is.Zero, server.StandardError);
    }

    [Test]
    public async Task Sigterm_answers_held_long_polls_as_empty_and_exits_zero()
    {
        await using var server = await DevServer.StartAsync("--db", Path.Combine(folder, "flow.db"), "--long-poll-seconds", "60");
        Ok(await Swf.CallAsync(server, "RegisterDomain", """{"name":"held","workflowExecutionRetentionPeriodInDays":"1"}"""));
        var decision = await HeldPollAsync(server, "PollForDecisionTask", """{"domain":"held","taskList":{"name":"d"}}""");
        var activity = await HeldPollAsync(server, "PollForActivityTask", """{"domain":"held","taskList":{"name":"a"}}""");
        var stopped = Stopwatch.StartNew();
        var exit = server.TerminateAsync(TimeSpan.FromSeconds(30));
        foreach (string answer in await Task.WhenAll(decision, activity))
        {
            Assert.That(answer, Does.StartWith("HTTP/1.1 200"));
            Assert.That(answer, Does.Contain("\"startedEventId\":0").And.Not.Contain("taskToken"));
        }
        Assert.That(await exit, Is.Zero, server.StandardError);
        Assert.That(stopped.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "the held polls did not keep the server up for their hold");
    }

    /// <summary>Sends a poll with <c>Expect: 100-continue</c> and its body once the server asks for it, so the
    /// poll is in the server's hands (not still on the wire) when this returns; the task completes with the raw answer.</summary>
    private static async Task<Task<string>> HeldPollAsync(DevServer server, string operation, string body)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.Url.Port);
        byte[] payload = System.Text.Encoding.UTF8.GetBytes(body);
        string head = $"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: SimpleWorkflowService.{operation}\r\n"
            + $"Content-Length: {payload.Length}\r\nExpect: 100-continue\r\n\r\n";
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(head), System.Net.Sockets.SocketFlags.None);
        var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        Assert.That(await reader.ReadLineAsync(), Is.EqualTo("HTTP/1.1 100 Continue"));
        Assert.That(await reader.ReadLineAsync(), Is.Empty);
        await stream.WriteAsync(payload);
        return ReadAnswerAsync();

        async Task<string> ReadAnswerAsync()
        {
            using (reader)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                return await reader.ReadToEndAsync(timeout.Token);
            }
        }
    }

    [Test]
    public async Task A_database_file_reopens_after_sigterm_with_its_domain_and_open_execution()
    {
        string db = Path.Combine(folder, "flow.db");
        await using (var first = await DevServer.StartAsync("--db", db))
        {
            Ok(await Swf.CallAsync(first, "RegisterDomain", """{"name":"kept","workflowExecutionRetentionPeriodInDays":"1"}"""));
            Ok(await Swf.CallAsync(first, "RegisterWorkflowType", """
                {"domain":"kept","name":"W","version":"1","defaultTaskList":{"name":"d"},
                 "defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"60","defaultChildPolicy":"TERMINATE"}
                """));
            Ok(await Swf.CallAsync(first, "StartWorkflowExecution", """{"domain":"kept","workflowId":"w-1","workflowType":{"name":"W","version":"1"}}"""));
            Assert.That(await first.TerminateAsync(TimeSpan.FromSeconds(20)), Is.Zero, first.StandardError);
        }

        await using var second = await DevServer.StartAsync("--db", db, "--long-poll-seconds", "5");
        Ok(await Swf.CallAsync(second, "DescribeDomain", """{"name":"kept"}"""));
        var open = Ok(await Swf.CallAsync(second, "ListOpenWorkflowExecutions", """{"domain":"kept","startTimeFilter":{"oldestDate":0}}"""));
        Assert.That(open.Json.GetProperty("executionInfos")[0].GetProperty("execution").GetProperty("workflowId").GetString(), Is.EqualTo("w-1"));
        var task = Ok(await Swf.CallAsync(second, "PollForDecisionTask", """{"domain":"kept","taskList":{"name":"d"}}"""));
        Assert.That(task.Json.GetProperty("taskToken").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task Without_a_store_choice_the_tool_prints_usage_and_exits_2()
    {
        using Process process = DevServer.StartProcess(["dev", "--port", "0"]);
        string stdout = await process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.EqualTo(2));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain("--db FILE or --memory"));
    }

    [Test]
    public async Task A_port_already_in_use_is_reported_with_exit_code_1()
    {
        await using var first = await DevServer.StartAsync("--memory");
        using Process process = DevServer.StartProcess(["dev", "--port", first.Url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--memory"]);
        string stdout = await process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.EqualTo(1), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Is.EqualTo($"flow dev: cannot listen on 127.0.0.1:{first.Url.Port}: Failed to bind to address http://127.0.0.1:{first.Url.Port}: address already in use.\n"),
            "one line, no logged stack trace");
    }

    [TestCase("missing/dir/x.db", "cannot be created: the folder", "does not exist")]
    [TestCase("", "is a folder; --db takes a file", "")]
    [TestCase("/proc/flow-store.db", "its lock file /proc/flow-store.db.lock cannot be created", "")]
    [TestCase("not-a-db.txt", "cannot be used as a store: it is not a SQLite database", "")]
    public async Task A_store_file_that_cannot_be_used_is_reported_for_what_it_is(string path, string says, string andSays)
    {
        await File.WriteAllTextAsync(Path.Combine(folder, "not-a-db.txt"), "hello, not SQLite\n");
        string db = path.StartsWith('/') ? path : Path.Combine(folder, path);
        using Process process = DevServer.StartProcess(["dev", "--port", "0", "--db", db]);
        string stdout = await process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.EqualTo(1), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.StartWith("flow dev: cannot open the store: ").And.Contain(says).And.Contain(andSays).And.Not.Contain("in use"));
        Assert.That(stderr.TrimEnd('\n'), Does.Not.Contain("\n"), "one line");
    }

    private static Swf.Answer Ok(Swf.Answer answer)
    {
        Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
        return answer;
    }
}
