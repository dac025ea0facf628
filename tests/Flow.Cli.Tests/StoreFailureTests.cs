using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Flow.Cli.Tests;

/// <summary>
/// <c>flow dev --db</c> whose commits really fail, as the tester made them: another program holding the
/// file's write lock, and a file that cannot grow (a process file-size limit, which fails writes as a full
/// disk does). A 500 means not done; a restart loads every acknowledged change and nothing else.
/// </summary>
[TestFixture]
public sealed class StoreFailureTests
{
    private const string Domain = "lk";

    private string folder = null!;

    [SetUp]
    public void CreateFolder() => folder = Directory.CreateTempSubdirectory("flow-store-").FullName;

    [TearDown]
    public void DeleteFolder()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private static async Task RegisterAsync(DevServer server)
    {
        Ok(await Swf.CallAsync(server, "RegisterDomain", $$"""{"name":"{{Domain}}","workflowExecutionRetentionPeriodInDays":"1"}"""));
        Ok(await Swf.CallAsync(server, "RegisterWorkflowType", $$"""
            {"domain":"{{Domain}}","name":"wf","version":"1","defaultTaskList":{"name":"tl"},
             "defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"30","defaultChildPolicy":"TERMINATE"}
            """));
    }

    private static Task<Swf.Answer> StartAsync(DevServer server, string workflowId, string input = "") =>
        Swf.CallAsync(server, "StartWorkflowExecution",
            $$"""{"domain":"{{Domain}}","workflowId":"{{workflowId}}","workflowType":{"name":"wf","version":"1"},"input":"{{input}}"}""");

    private static Task<Swf.Answer> SignalAsync(DevServer server, string workflowId) =>
        Swf.CallAsync(server, "SignalWorkflowExecution", $$"""{"domain":"{{Domain}}","workflowId":"{{workflowId}}","signalName":"s"}""");

    private static async Task<int> CountOpenAsync(DevServer server) =>
        Ok(await Swf.CallAsync(server, "CountOpenWorkflowExecutions", $$$"""{"domain":"{{{Domain}}}","startTimeFilter":{"oldestDate":0}}"""))
            .Json.GetProperty("count").GetInt32();

    private static async Task<List<string>> EventTypesAsync(DevServer server, string workflowId, string runId)
    {
        var answer = Ok(await Swf.CallAsync(server, "GetWorkflowExecutionHistory",
            $$$"""{"domain":"{{{Domain}}}","execution":{"workflowId":"{{{workflowId}}}","runId":"{{{runId}}}"}}"""));
        var events = answer.Json.GetProperty("events").EnumerateArray().ToList();
        Assert.That(events.Select(e => e.GetProperty("eventId").GetInt64()), Is.EqualTo(Enumerable.Range(1, events.Count).Select(i => (long)i)));
        return events.Select(e => e.GetProperty("eventType").GetString()!).ToList();
    }

    private static string RunId(Swf.Answer start) => start.Json.GetProperty("runId").GetString()!;

    private static Swf.Answer Ok(Swf.Answer answer)
    {
        Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
        return answer;
    }

    private static void NotDone(Swf.Answer answer, string cause)
    {
        Assert.That(answer.Status, Is.EqualTo(500), answer.ToString());
        Assert.That(answer.ErrorCode, Is.EqualTo("InternalFailure"));
        Assert.That(answer.Json.GetProperty("message").GetString(), Does.Contain("not done").And.Contain(cause));
    }

    [Test]
    public async Task A_start_answered_500_while_another_program_holds_the_write_lock_was_not_done_and_the_file_reopens()
    {
        string db = Path.Combine(folder, "lk.db");
        string heldRun;
        await using (var server = await DevServer.StartAsync("--db", db))
        {
            await RegisterAsync(server);
            using (var holder = new SqliteConnection($"Data Source={db};Pooling=False"))
            {
                holder.Open();
                using var begin = holder.CreateCommand();
                begin.CommandText = "BEGIN IMMEDIATE";
                begin.ExecuteNonQuery();
                NotDone(await StartAsync(server, "held"), "database is locked");
            }
            Assert.That(await CountOpenAsync(server), Is.Zero);
            Assert.That((await SignalAsync(server, "held")).ErrorCode, Is.EqualTo("UnknownResourceFault"));
            heldRun = RunId(Ok(await StartAsync(server, "held")));
            Ok(await SignalAsync(server, "held"));
            Assert.That(await server.TerminateAsync(TimeSpan.FromSeconds(30)), Is.Zero);
            Assert.That(server.StandardError, Does.Contain("database is locked"), "the operator is told why the call failed");
        }

        await using var restarted = await DevServer.StartAsync("--db", db);
        Assert.That(await CountOpenAsync(restarted), Is.EqualTo(1));
        Assert.That(await EventTypesAsync(restarted, "held", heldRun),
            Is.EqualTo(new[] { "WorkflowExecutionStarted", "DecisionTaskScheduled", "WorkflowExecutionSignaled" }));
        Assert.That(await restarted.TerminateAsync(TimeSpan.FromSeconds(30)), Is.Zero);
        Assert.That(restarted.StandardError, Is.Empty);
    }

    [Test]
    public async Task A_damaged_execution_in_the_file_is_named_on_stderr_and_the_rest_is_served()
    {
        string db = Path.Combine(folder, "lk.db");
        string good, bad;
        await using (var server = await DevServer.StartAsync("--db", db))
        {
            await RegisterAsync(server);
            good = RunId(Ok(await StartAsync(server, "good")));
            bad = RunId(Ok(await StartAsync(server, "bad")));
            Ok(await SignalAsync(server, "bad"));
            Assert.That(await server.TerminateAsync(TimeSpan.FromSeconds(30)), Is.Zero);
        }
        // What flow dev before this fix could leave after a failed commit: eventCount 3, only event 3 stored.
        using (var edit = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            edit.Open();
            using var delete = edit.CreateCommand();
            delete.CommandText = "DELETE FROM events WHERE run_id = $r AND event_id < 3";
            delete.Parameters.AddWithValue("$r", bad);
            Assert.That(delete.ExecuteNonQuery(), Is.EqualTo(2));
        }

        await using var restarted = await DevServer.StartAsync("--db", db);
        Assert.That(await EventTypesAsync(restarted, "good", good), Has.Count.EqualTo(2));
        Assert.That(await CountOpenAsync(restarted), Is.EqualTo(1));
        Assert.That(await restarted.TerminateAsync(TimeSpan.FromSeconds(30)), Is.Zero);
        Assert.That(restarted.StandardError, Does.StartWith("flow dev: warning: ").And.Contain($"execution bad (run {bad}, domain {Domain})")
            .And.Contain("counts 3 events but the file holds 1 (missing event 1, 2)"));
    }

    [Test]
    public async Task Starts_answered_500_when_the_file_cannot_grow_were_not_done_and_a_restart_loads_every_acknowledged_one()
    {
        Assume.That(File.Exists("/usr/bin/prlimit"), "prlimit (util-linux) sets the running server's file-size limit");
        string db = Path.Combine(folder, "lk.db");
        string input = new('x', 20_000);
        var acknowledged = new Dictionary<string, string>();
        var failed = new List<string>();
        // Past the limit a write fails with EFBIG instead of raising SIGXFSZ (ignored, and the ignoring survives exec);
        // W^X off, since the runtime's double-mapped code memory is itself a file the limit would cap.
        await using (var server = await DevServer.StartAfterAsync("trap '' XFSZ; export DOTNET_EnableWriteXorExecute=0", "--db", db))
        {
            await RegisterAsync(server);
            await LimitFileSizeAsync(server.Pid, new FileInfo(db + "-wal").Length + 400_000);
            for (int i = 0; i < 100; i++)
            {
                var answer = await StartAsync(server, $"w{i}", input);
                if (answer.Status == 200)
                    acknowledged[$"w{i}"] = RunId(answer);
                else
                {
                    NotDone(answer, "disk I/O error");
                    failed.Add($"w{i}");
                }
            }
            Assert.That(acknowledged, Is.Not.Empty);
            Assert.That(failed, Is.Not.Empty, "the file should have reached its limit");
            Assert.That(await CountOpenAsync(server), Is.EqualTo(acknowledged.Count));
            Assert.That((await SignalAsync(server, failed[0])).ErrorCode, Is.EqualTo("UnknownResourceFault"), "a failed start left nothing to signal");

            // More room: what failed can be done now.
            await LimitFileSizeAsync(server.Pid, null);
            foreach (string id in failed)
                acknowledged[id] = RunId(Ok(await StartAsync(server, id, input)));
            Ok(await SignalAsync(server, failed[0]));
            Assert.That(await server.TerminateAsync(TimeSpan.FromSeconds(30)), Is.Zero);
        }

        await using var restarted = await DevServer.StartAsync("--db", db);
        Assert.That(await CountOpenAsync(restarted), Is.EqualTo(100));
        foreach (var (id, run) in acknowledged)
            Assert.That(await EventTypesAsync(restarted, id, run), Has.Count.EqualTo(id == failed[0] ? 3 : 2), id);
        Assert.That(await restarted.TerminateAsync(TimeSpan.FromSeconds(30)), Is.Zero);
        Assert.That(restarted.StandardError, Is.Empty, "no damaged record");
    }

    private static async Task LimitFileSizeAsync(int pid, long? bytes)
    {
        string limit = bytes is { } b ? $"{b}:unlimited" : "unlimited:unlimited";
        using var prlimit = Process.Start("prlimit", ["--pid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), $"--fsize={limit}"]);
        await prlimit.WaitForExitAsync();
        Assert.That(prlimit.ExitCode, Is.Zero);
    }
}
