using System.Text.Json.Serialization;
using Flow;

namespace Flow.Generators.Tests.Runtime;

public enum Priority
{
    Low,
    High,
}

public sealed record Line(string Sku, int Quantity, decimal Price);

public sealed record Order(string Id, Priority Priority, List<Line> Lines, DateTimeOffset PlacedAt)
{
    public int? DiscountPercent { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public Dictionary<string, long> Counters { get; init; } = [];
    public byte[]? Attachment { get; init; }

    [JsonPropertyName("note_text")]
    public string? Note { get; set; }

    [JsonIgnore]
    public string Secret { get; set; } = "not serialized";
}

public sealed class Receipt
{
    public Guid Id { get; set; }
    public decimal Total { get; set; }
    public Priority[] Priorities { get; set; } = [];
    public TimeSpan Elapsed { get; set; }
    public Uri? Link { get; set; }
}

public readonly record struct Point(double X, double Y);

[Activities(Version = "2.0", TaskList = "orders", StartToClose = "00:05:00", Heartbeat = "NONE")]
public partial interface IOrderActivities
{
    Task<Receipt> ChargeAsync(Order order, string currency);

    [Activity(Name = "Orders.Ship", StartToClose = "01:00:00", ManualCompletion = true)]
    Task ShipAsync(string orderId, Point? destination, CancellationToken cancellationToken);

    Task<IEnumerable<Point>> RouteAsync(IReadOnlyList<Point> stops, Priority priority);

    Task<byte[]> CompressAsync(byte[] data);

    Task<DateTimeOffset?> NowAsync();
}

public sealed record Progress(string Stage, long Bytes);

[Workflow(Version = "1.1", TaskList = "decisions", ExecutionStartToClose = "01:00:00", ChildPolicy = "ABANDON")]
public partial interface IOrderWorkflow
{
    [Execute]
    Task<Receipt> ProcessAsync(Order order, bool express);

    [Signal]
    Task ApproveAsync(string approver);

    [Signal(Name = "cancel-order")]
    Task CancelAsync(string reason, Priority priority);

    [GetState]
    Progress Status { get; }
}

/// <summary>A contract nested in a partial class, with declared defaults and a params array.</summary>
public static partial class Nested
{
    public enum Tone
    {
        Plain,
        Loud,
    }

    /// <summary>Required members: the JSON must carry them, as with System.Text.Json's own generator.</summary>
    public sealed record Card
    {
        public required string To { get; init; }

        [JsonRequired]
        public int Copies { get; set; }

        public string? Note { get; init; }
    }

    [Activities(TaskList = "greetings")]
    public partial interface IGreetings
    {
        Task<string> GreetAsync(string name, int times = 2, Tone tone = Tone.Loud, double weight = 0.5, params string[] extra);

        Task SendAsync(Card card);
    }

    /// <summary>A signal whose parameters all have defaults of each kind the generator writes.</summary>
    [Workflow(Version = "1", TaskList = "greetings", ExecutionStartToClose = "01:00:00", ChildPolicy = "ABANDON")]
    public partial interface IPinged
    {
        [Execute]
        Task RunAsync();

        [Signal]
        Task PingAsync(string? from = null, Tone tone = default, int times = 3, params string[] tags);
    }
}
