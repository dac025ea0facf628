namespace Flow.Generators.Tests;

/// <summary>Contracts the generator tests compile.</summary>
internal static class Sources
{
    /// <summary>The classic sample: download, process, upload, with a workflow that reports progress.</summary>
    public const string FileProcessing = """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Flow;

        namespace Samples.Files;

        public sealed record Job(Uri Source, string Bucket, IReadOnlyList<string> Tags);
        public sealed record Report(string Sha256, long Lines, long Words, DateTimeOffset FinishedAt);
        public enum Stage { Downloading, Processing, Uploading, Done }
        public sealed record Progress(Stage Stage, long Bytes);

        [Activities(Version = "1.0", TaskList = "files", StartToClose = "00:10:00", Heartbeat = "00:00:30")]
        public partial interface IFileActivities
        {
            Task<string> DownloadAsync(Uri source);
            Task<Report> ProcessAsync(string path);
            Task UploadAsync(string path, string bucket);
            Task DeleteAsync(string path);
        }

        [Workflow(Version = "1.0", ExecutionStartToClose = "01:00:00", TaskStartToClose = "00:00:30", ChildPolicy = "TERMINATE")]
        public partial interface IFileProcessing
        {
            [Execute] Task<Report> RunAsync(Job job);
            [Signal] Task CancelAsync(string reason);
            [GetState] Progress Status { get; }
        }
        """;

    /// <summary>Attribute overrides, cancellation tokens, an internal contract in the global namespace.</summary>
    public const string ActivityOptions = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Flow;

        [Activities(Version = "3", NamePrefix = "Billing", TaskList = "billing", ScheduleToStart = "NONE", ScheduleToClose = "1.00:00:00", TaskPriority = 5)]
        internal partial interface IPayments
        {
            [Activity(Name = "Billing.chargeCard", Version = "3.1", StartToClose = "00:00:45", Description = "Charges a card")]
            Task<decimal> ChargeAsync(string customer, decimal amount, CancellationToken cancellationToken);

            [Activity(ManualCompletion = true, TaskList = "approvals")]
            Task RequestApprovalAsync(string customer);

            Task<bool> PingAsync();

            Task<string?> FindAsync(string? @event, int? limit);
        }
        """;

    /// <summary>The smallest workflow: no arguments, no result, no state; a void signal and a state method; parameter names that clash with generated ones.</summary>
    public const string SmallWorkflows = """
        using System.Threading.Tasks;
        using Flow;

        namespace Samples.Small
        {
            [Workflow(Name = "Heartbeat-Loop", TaskList = "loops")]
            public partial interface ILoop
            {
                [Execute] Task RunAsync();
            }

            [Workflow]
            internal partial interface ICounter
            {
                [Execute] Task<int> CountAsync(int from, int to);
                [Signal] void Add(int amount);
                [Signal(Name = "reset")] Task ResetAsync();
                [GetState] int? Current();
            }

            /// <summary>Parameters named like the generated ones.</summary>
            [Workflow]
            public partial interface IClash
            {
                [Execute] Task RunAsync(string workflowId, int options);
                [Signal] Task NoteAsync(string cancellationToken);
            }
        }
        """;

    /// <summary>The shapes of payload types the JSON metadata covers.</summary>
    public const string JsonShapes = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Flow;

        namespace Samples.Shapes;

        public enum Color { Red, Green }

        public class Settings
        {
            public string Name { get; set; } = "";
            public required int Level { get; init; }
            public Color? Color { get; init; }
            [JsonPropertyName("max-items")] public int MaxItems { get; set; } = 10;
            [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Comment { get; set; }
            [JsonIgnore] public object? Cache { get; set; }
            public int Computed => Level * 2;
        }

        public sealed class Node
        {
            [JsonConstructor]
            public Node(string id, int weight = 1) { Id = id; Weight = weight; }
            public Node() : this("root") { }
            public string Id { get; }
            public int Weight { get; }
            public List<Node> Children { get; set; } = new();
        }

        public record struct Range(int Start, int End);

        public record Page<T>(IReadOnlyList<T> Items, string? Next);

        [Activities]
        public partial interface IShapes
        {
            Task<Settings> GetSettingsAsync(Dictionary<string, Color> colors, IDictionary<string, List<int>> buckets);
            Task<Node> TreeAsync(Node root, HashSet<Guid> seen, ISet<string> names);
            Task<Page<Range>> PageAsync(Range[] ranges, IEnumerable<DateTime> days, IReadOnlyDictionary<string, double> weights);
            Task<Dictionary<Color, TimeSpan>> DurationsAsync(IList<DateOnly> dates, ICollection<TimeOnly> times, List<Uri?> links);
        }
        """;

    /// <summary>What users write that the other sources do not: contracts nested in partial types (one private),
    /// default values and params, parameter names that are keywords or shadow generated members, [Obsolete].</summary>
    public const string UserShapes = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Flow;

        namespace Samples.Users.Deep;

        public enum Mode { Fast = 1, Slow = 2 }

        public static partial class Contracts
        {
            public sealed record Item(string Name, int? Count = null);

            [Activities(TaskList = "users")]
            public partial interface IStore
            {
                Task<Item?> FindAsync(string @class, int retries = 3, Mode mode = Mode.Slow, double ratio = 0.5, decimal price = 9.99m,
                    string? note = null, CancellationToken cancellationToken = default);

                Task LogAsync(string Options, params string[] lines);

                [Obsolete("Use FindAsync")]
                Task<byte[]> LegacyAsync(byte[] data);
            }

            [Workflow]
            internal partial interface IRestock
            {
                [Execute] Task<IReadOnlyList<Item>> RunAsync(string sku, int quantity = 1, params string[] warehouses);
                [Signal] Task NudgeAsync(string Client, string Execution, int times = 1);
                [GetState] Item? Current { get; }
            }
        }

        public partial class Host
        {
            [Activities]
            private partial interface IPrivate
            {
                Task PingAsync(DateTimeOffset at);
            }
        }
        """;

    /// <summary>A contract with members the analyzers reject (ref and generic methods, a property, an event, an
    /// inherited member): the generated client implements them as throwing stubs, so it still compiles.</summary>
    public const string UnsupportedMembers = """
        using System;
        using System.Threading.Tasks;
        using Flow;

        namespace Samples.Broken;

        public interface IPing { Task PingAsync(); }

        [Activities]
        public partial interface IBroken : IPing
        {
            Task<int> GoodAsync(int x);
            Task RefAsync(ref int x);
            Task GenericAsync<T>(T value);
            ValueTask<int> ValueAsync();
            int Level { get; set; }
            event EventHandler Changed;
        }
        """;
}
