using System.Reflection;
using Flow.Swf;

namespace Flow.Runtime.Tests.Workers;

/// <summary>
/// Passes every call through to a real <see cref="ISwfClient"/> and lets a test see the calls complete, or inject
/// the faults a real service answers with (throttling, 5xx). Not a mock: the engine behind it does the work.
/// </summary>
public class SwfProbe : DispatchProxy
{
    private readonly List<(string Operation, Func<object, object?, bool> Match, TaskCompletionSource<object?> Done)> _waiters = [];
    private ISwfClient _inner = null!;

    /// <summary>Called before each operation with its name and input; a returned exception is thrown instead of calling.</summary>
    public Func<string, object, Exception?>? Fault { get; set; }

    /// <summary>Called after an operation succeeded in the engine; a returned exception replaces its answer, as when a
    /// connection drops after the service did the work.</summary>
    public Func<string, object, Exception?>? LostAnswer { get; set; }

    public List<string> Calls { get; } = [];
    public List<(string Operation, object Input)> Inputs { get; } = [];

    /// <summary>Inputs of the calls of <paramref name="operation"/> so far.</summary>
    public List<T> InputsOf<T>(string operation)
    {
        lock (Calls)
            return Inputs.Where(i => i.Operation == operation).Select(i => (T)i.Input).ToList();
    }

    public static (ISwfClient Client, SwfProbe Probe) Wrap(ISwfClient inner)
    {
        var client = Create<ISwfClient, SwfProbe>();
        var probe = (SwfProbe)(object)client;
        probe._inner = inner;
        return (client, probe);
    }

    /// <summary>Completes with the output of the next successful call of <paramref name="operation"/> that matches.</summary>
    public Task<object?> WhenCalled(string operation, Func<object, object?, bool>? match = null)
    {
        var tcs = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
            _waiters.Add((operation, match ?? ((_, _) => true), tcs));
        return tcs.Task;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        string operation = targetMethod!.Name[..^"Async".Length];
        object input = args![0]!;
        lock (Calls)
        {
            Calls.Add(operation);
            Inputs.Add((operation, input));
        }
        if (Fault?.Invoke(operation, input) is { } fault)
            return FaultedTask(targetMethod.ReturnType, fault);
        var task = (Task)targetMethod.Invoke(_inner, args)!;
        if (LostAnswer is { } lost)
            task = LoseAnswer(task, targetMethod.ReturnType, () => lost(operation, input));
        _ = task.ContinueWith(t =>
        {
            if (t.Status != TaskStatus.RanToCompletion)
                return;
            object? output = t.GetType().IsGenericType ? t.GetType().GetProperty("Result")!.GetValue(t) : null;
            List<TaskCompletionSource<object?>> done = [];
            lock (_waiters)
            {
                for (int i = _waiters.Count - 1; i >= 0; i--)
                    if (_waiters[i].Operation == operation && _waiters[i].Match(input, output))
                    {
                        done.Add(_waiters[i].Done);
                        _waiters.RemoveAt(i);
                    }
            }
            foreach (var d in done)
                d.TrySetResult(output);
        }, TaskScheduler.Default);
        return task;
    }

    private static Task LoseAnswer(Task task, Type returnType, Func<Exception?> lost)
    {
        if (!returnType.IsGenericType)
            return Then(task);
        var method = typeof(SwfProbe).GetMethod(nameof(ThenTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(returnType.GetGenericArguments()[0]);
        return (Task)method.Invoke(null, [task, lost])!;

        async Task Then(Task t)
        {
            await t;
            if (lost() is { } ex)
                throw ex;
        }
    }

    private static async Task<T> ThenTyped<T>(Task<T> task, Func<Exception?> lost)
    {
        var result = await task;
        if (lost() is { } ex)
            throw ex;
        return result;
    }

    private static object FaultedTask(Type returnType, Exception fault)
    {
        if (!returnType.IsGenericType)
            return Task.FromException(fault);
        var tcsType = typeof(TaskCompletionSource<>).MakeGenericType(returnType.GetGenericArguments()[0]);
        var tcs = Activator.CreateInstance(tcsType)!;
        tcsType.GetMethod("SetException", [typeof(Exception)])!.Invoke(tcs, [fault]);
        return tcsType.GetProperty("Task")!.GetValue(tcs)!;
    }

    public static ThrottlingException Throttled() =>
        new("ThrottlingException", "Rate exceeded", System.Net.HttpStatusCode.BadRequest, "test");
}
