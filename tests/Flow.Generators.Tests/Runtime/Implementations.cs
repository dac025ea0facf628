namespace Flow.Generators.Tests.Runtime;

/// <summary>Activities that answer from their arguments, so a test sees what the dispatch decoded.</summary>
internal sealed class OrderActivities : IOrderActivities
{
    public CancellationToken LastToken { get; private set; }
    public Point? LastDestination { get; private set; }

    public Task<Receipt> ChargeAsync(Order order, string currency) => Task.FromResult(new Receipt
    {
        Id = Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"),
        Total = order.Lines.Sum(l => l.Price * l.Quantity) * (100 - (order.DiscountPercent ?? 0)) / 100,
        Priorities = [order.Priority, Priority.Low],
        Elapsed = TimeSpan.FromSeconds(90),
        Link = new Uri($"https://example.com/{currency}/{order.Id}"),
    });

    public Task ShipAsync(string orderId, Point? destination, CancellationToken cancellationToken)
    {
        LastDestination = destination;
        LastToken = cancellationToken;
        return Task.CompletedTask;
    }

    public async Task<IEnumerable<Point>> RouteAsync(IReadOnlyList<Point> stops, Priority priority)
    {
        await Task.Yield();
        return priority == Priority.High ? stops.Reverse() : stops;
    }

    public Task<byte[]> CompressAsync(byte[] data) => Task.FromResult(data.Reverse().ToArray());

    public Task<DateTimeOffset?> NowAsync() => Task.FromResult<DateTimeOffset?>(null);
}

/// <summary>A workflow whose [Execute] uses no Workflow API, so its instance runs outside the replay engine.</summary>
internal sealed class OrderWorkflow : IOrderWorkflow
{
    public List<string> Events { get; } = [];

    public Progress Status { get; private set; } = new("created", 0);

    public Task<Receipt> ProcessAsync(Order order, bool express)
    {
        Status = new Progress(express ? "express" : "standard", order.Lines.Count);
        return Task.FromResult(new Receipt { Total = order.Lines.Sum(l => l.Price) });
    }

    public Task ApproveAsync(string approver)
    {
        Events.Add($"approved by {approver}");
        return Task.CompletedTask;
    }

    public Task CancelAsync(string reason, Priority priority)
    {
        Events.Add($"cancel {reason} {priority}");
        return Task.CompletedTask;
    }
}

internal sealed class Greetings : Nested.IGreetings
{
    public Task<string> GreetAsync(string name, int times = 2, Nested.Tone tone = Nested.Tone.Loud, double weight = 0.5, params string[] extra)
    {
        var word = tone == Nested.Tone.Loud ? name.ToUpperInvariant() : name;
        return Task.FromResult($"{string.Join(" ", Enumerable.Repeat(word, times))} {weight} [{string.Join(",", extra)}]");
    }

    public Task SendAsync(Nested.Card card) => Task.CompletedTask;
}
