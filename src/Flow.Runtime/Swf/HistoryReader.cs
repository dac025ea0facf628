using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Flow.Swf;

/// <summary>
/// Reads GetWorkflowExecutionHistory and PollForDecisionTask response bodies into the same objects
/// <see cref="SwfJsonContext"/> makes, faster: the events a replay meets most (decision and activity tasks) are read
/// straight off a <see cref="Utf8JsonReader"/>, and short repeated values (type names, versions, task lists,
/// timeouts, identities) are shared strings; equal task lists and activity types within one body are one object
/// (SWF repeats them on most events; a history is read-only). Anything else, or anything unusual (escaped names, unknown members,
/// unexpected tokens), goes to the source-generated metadata for that event or for the whole body, so the result
/// is always what <see cref="SwfJsonContext"/> would give, errors included.
/// </summary>
internal static class HistoryReader
{
    public static History ReadHistory(ReadOnlySpan<byte> json)
    {
        History? history;
        try
        {
            history = TryReadHistory(json);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            history = null; // malformed: let the generated path say so, in its own words
        }
        return history ?? JsonSerializer.Deserialize(json, SwfJsonContext.Default.History)
            ?? throw new JsonException("The history body is null.");
    }

    public static DecisionTask ReadDecisionTask(ReadOnlySpan<byte> json)
    {
        DecisionTask? task;
        try
        {
            task = TryReadDecisionTask(json);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            task = null;
        }
        return task ?? JsonSerializer.Deserialize(json, SwfJsonContext.Default.DecisionTask)
            ?? throw new JsonException("The decision task body is null.");
    }

    private static History? TryReadHistory(ReadOnlySpan<byte> json)
    {
        var r = new Utf8JsonReader(json);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            return null;
        var history = new History();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueIsEscaped) return null;
            var name = r.ValueSpan;
            r.Read();
            if (name.SequenceEqual("events"u8))
            {
                if (ReadEvents(ref r, json.Length) is not { } events) return null;
                history.Events = events;
            }
            else if (name.SequenceEqual("nextPageToken"u8))
            {
                if (!String(ref r, out var token)) return null;
                history.NextPageToken = token;
            }
            else
            {
                r.Skip();
            }
        }
        return r.TokenType == JsonTokenType.EndObject && !r.Read() ? history : null;
    }

    private static DecisionTask? TryReadDecisionTask(ReadOnlySpan<byte> json)
    {
        var r = new Utf8JsonReader(json);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            return null;
        var task = new DecisionTask();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueIsEscaped) return null;
            var name = r.ValueSpan;
            r.Read();
            if (name.SequenceEqual("events"u8))
            {
                if (ReadEvents(ref r, json.Length) is not { } events) return null;
                task.Events = events;
            }
            else if (name.SequenceEqual("taskToken"u8))
            {
                if (!String(ref r, out var token)) return null;
                task.TaskToken = token!;
            }
            else if (name.SequenceEqual("startedEventId"u8))
            {
                if (!Int64(ref r, out var id)) return null;
                task.StartedEventId = id;
            }
            else if (name.SequenceEqual("previousStartedEventId"u8))
            {
                if (r.TokenType == JsonTokenType.Null) task.PreviousStartedEventId = null;
                else if (Int64(ref r, out var id)) task.PreviousStartedEventId = id;
                else return null;
            }
            else if (name.SequenceEqual("nextPageToken"u8))
            {
                if (!String(ref r, out var token)) return null;
                task.NextPageToken = token;
            }
            else if (name.SequenceEqual("workflowExecution"u8))
            {
                task.WorkflowExecution = JsonSerializer.Deserialize(ref r, SwfJsonContext.Default.WorkflowExecution)!;
            }
            else if (name.SequenceEqual("workflowType"u8))
            {
                task.WorkflowType = JsonSerializer.Deserialize(ref r, SwfJsonContext.Default.WorkflowType)!;
            }
            else
            {
                r.Skip();
            }
        }
        return r.TokenType == JsonTokenType.EndObject && !r.Read() ? task : null;
    }

    private static List<HistoryEvent>? ReadEvents(ref Utf8JsonReader r, int bodyLength)
    {
        if (r.TokenType != JsonTokenType.StartArray)
            return null;
        // Events gather in a pooled buffer and the list is made once at its exact size: growing a list by doubling
        // allocated about twice the final array (a sixth of what reading a history allocated). A typical event is
        // 150-400 bytes of JSON, so the first buffer is near the right size.
        var pool = ArrayPool<HistoryEvent>.Shared;
        var buffer = pool.Rent(Math.Clamp(bodyLength / 192, 16, 25_000));
        var count = 0;
        try
        {
            var interner = Interner.Current;
            interner.BeginBody();
            while (r.Read() && r.TokenType == JsonTokenType.StartObject)
            {
                var start = r;
                if (ReadEvent(ref r, interner) is not { } e)
                {
                    r = start;
                    e = JsonSerializer.Deserialize(ref r, SwfJsonContext.Default.HistoryEvent)!;
                }
                if (count == buffer.Length)
                {
                    var larger = pool.Rent(count * 2);
                    buffer.AsSpan(0, count).CopyTo(larger);
                    pool.Return(buffer, clearArray: true);
                    buffer = larger;
                }
                buffer[count++] = e;
            }
            if (r.TokenType != JsonTokenType.EndArray)
                return null;
            var events = new List<HistoryEvent>(count);
            CollectionsMarshal.SetCount(events, count);
            buffer.AsSpan(0, count).CopyTo(CollectionsMarshal.AsSpan(events));
            return events;
        }
        finally
        {
            pool.Return(buffer, clearArray: true); // the pool must not keep events alive
        }
    }

    /// <summary>Reads one event with the common attribute kinds; null sends it to the generated metadata.</summary>
    private static HistoryEvent? ReadEvent(ref Utf8JsonReader r, Interner interner)
    {
        var e = new HistoryEvent();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueIsEscaped) return null;
            var name = r.ValueSpan;
            r.Read();
            switch (name.Length)
            {
                case 7 when name.SequenceEqual("eventId"u8):
                    if (!Int64(ref r, out var id)) return null;
                    e.EventId = id;
                    break;
                case 9 when name.SequenceEqual("eventType"u8):
                    if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || !EventTypes.TryGet(r.ValueSpan, out var type)) return null;
                    e.EventType = type;
                    break;
                case 14 when name.SequenceEqual("eventTimestamp"u8):
                    if (r.TokenType != JsonTokenType.Number || !r.TryGetDouble(out var seconds)) return null;
                    e.EventTimestamp = EpochSecondsConverter.FromEpochSeconds(seconds);
                    break;
                default:
                    if (r.TokenType != JsonTokenType.StartObject || !ReadAttributes(ref r, name, e, interner)) return null;
                    break;
            }
        }
        return r.TokenType == JsonTokenType.EndObject ? e : null;
    }

    private static bool ReadAttributes(ref Utf8JsonReader r, ReadOnlySpan<byte> member, HistoryEvent e, Interner interner)
    {
        if (member.SequenceEqual("decisionTaskScheduledEventAttributes"u8))
        {
            var a = new DecisionTaskScheduledEventAttributes();
            while (Next(ref r, out var name))
            {
                if (name.SequenceEqual("taskList"u8)) { if (!TaskList(ref r, interner, out var list)) return false; a.TaskList = list!; }
                else if (name.SequenceEqual("startToCloseTimeout"u8)) { if (!Shared(ref r, interner, out var v)) return false; a.StartToCloseTimeout = v; }
                else if (name.SequenceEqual("scheduleToStartTimeout"u8)) { if (!Shared(ref r, interner, out var v)) return false; a.ScheduleToStartTimeout = v; }
                else if (name.SequenceEqual("taskPriority"u8)) { if (!Shared(ref r, interner, out var v)) return false; a.TaskPriority = v; }
                else return false;
            }
            e.DecisionTaskScheduledEventAttributes = a;
        }
        else if (member.SequenceEqual("decisionTaskStartedEventAttributes"u8))
        {
            var a = new DecisionTaskStartedEventAttributes();
            while (Next(ref r, out var name))
            {
                if (name.SequenceEqual("scheduledEventId"u8)) { if (!Int64(ref r, out var v)) return false; a.ScheduledEventId = v; }
                else if (name.SequenceEqual("identity"u8)) { if (!Shared(ref r, interner, out var v)) return false; a.Identity = v; }
                else return false;
            }
            e.DecisionTaskStartedEventAttributes = a;
        }
        else if (member.SequenceEqual("decisionTaskCompletedEventAttributes"u8))
        {
            var a = new DecisionTaskCompletedEventAttributes();
            while (Next(ref r, out var name))
            {
                if (name.SequenceEqual("scheduledEventId"u8)) { if (!Int64(ref r, out var v)) return false; a.ScheduledEventId = v; }
                else if (name.SequenceEqual("startedEventId"u8)) { if (!Int64(ref r, out var v)) return false; a.StartedEventId = v; }
                else if (name.SequenceEqual("executionContext"u8)) { if (!String(ref r, out var v)) return false; a.ExecutionContext = v; }
                else if (name.SequenceEqual("taskList"u8)) { if (!TaskList(ref r, interner, out var list)) return false; a.TaskList = list; }
                else if (name.SequenceEqual("taskListScheduleToStartTimeout"u8)) { if (!Shared(ref r, interner, out var v)) return false; a.TaskListScheduleToStartTimeout = v; }
                else return false;
            }
            e.DecisionTaskCompletedEventAttributes = a;
        }
        else if (member.SequenceEqual("activityTaskScheduledEventAttributes"u8))
        {
            var a = new ActivityTaskScheduledEventAttributes();
            while (Next(ref r, out var name))
            {
                switch (name.Length)
                {
                    case 5 when name.SequenceEqual("input"u8): { if (!String(ref r, out var v)) return false; a.Input = v; break; }
                    case 7 when name.SequenceEqual("control"u8): { if (!String(ref r, out var v)) return false; a.Control = v; break; }
                    case 8 when name.SequenceEqual("taskList"u8): { if (!TaskList(ref r, interner, out var list)) return false; a.TaskList = list!; break; }
                    case 10 when name.SequenceEqual("activityId"u8): { if (!String(ref r, out var v)) return false; a.ActivityId = v!; break; }
                    case 12 when name.SequenceEqual("activityType"u8):
                    {
                        if (r.TokenType == JsonTokenType.Null) { a.ActivityType = null!; break; }
                        if (r.TokenType != JsonTokenType.StartObject) return false;
                        string? typeName = "", typeVersion = "";
                        while (Next(ref r, out var field))
                        {
                            if (field.SequenceEqual("name"u8)) { if (!Shared(ref r, interner, out typeName)) return false; }
                            else if (field.SequenceEqual("version"u8)) { if (!Shared(ref r, interner, out typeVersion)) return false; }
                            else return false;
                        }
                        if (r.TokenType != JsonTokenType.EndObject) return false;
                        a.ActivityType = interner.ActivityType(typeName, typeVersion);
                        break;
                    }
                    case 12 when name.SequenceEqual("taskPriority"u8): { if (!Shared(ref r, interner, out var v)) return false; a.TaskPriority = v; break; }
                    case 16 when name.SequenceEqual("heartbeatTimeout"u8): { if (!Shared(ref r, interner, out var v)) return false; a.HeartbeatTimeout = v; break; }
                    case 19 when name.SequenceEqual("startToCloseTimeout"u8): { if (!Shared(ref r, interner, out var v)) return false; a.StartToCloseTimeout = v; break; }
                    case 22 when name.SequenceEqual("scheduleToStartTimeout"u8): { if (!Shared(ref r, interner, out var v)) return false; a.ScheduleToStartTimeout = v; break; }
                    case 22 when name.SequenceEqual("scheduleToCloseTimeout"u8): { if (!Shared(ref r, interner, out var v)) return false; a.ScheduleToCloseTimeout = v; break; }
                    case 28 when name.SequenceEqual("decisionTaskCompletedEventId"u8): { if (!Int64(ref r, out var v)) return false; a.DecisionTaskCompletedEventId = v; break; }
                    default: return false;
                }
            }
            e.ActivityTaskScheduledEventAttributes = a;
        }
        else if (member.SequenceEqual("activityTaskStartedEventAttributes"u8))
        {
            var a = new ActivityTaskStartedEventAttributes();
            while (Next(ref r, out var name))
            {
                if (name.SequenceEqual("scheduledEventId"u8)) { if (!Int64(ref r, out var v)) return false; a.ScheduledEventId = v; }
                else if (name.SequenceEqual("identity"u8)) { if (!Shared(ref r, interner, out var v)) return false; a.Identity = v; }
                else return false;
            }
            e.ActivityTaskStartedEventAttributes = a;
        }
        else if (member.SequenceEqual("activityTaskCompletedEventAttributes"u8))
        {
            var a = new ActivityTaskCompletedEventAttributes();
            while (Next(ref r, out var name))
            {
                if (name.SequenceEqual("scheduledEventId"u8)) { if (!Int64(ref r, out var v)) return false; a.ScheduledEventId = v; }
                else if (name.SequenceEqual("startedEventId"u8)) { if (!Int64(ref r, out var v)) return false; a.StartedEventId = v; }
                else if (name.SequenceEqual("result"u8)) { if (!String(ref r, out var v)) return false; a.Result = v; }
                else return false;
            }
            e.ActivityTaskCompletedEventAttributes = a;
        }
        else
        {
            return false;
        }
        return r.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>Moves to the next member of the current object and onto its value; false at the object's end or on
    /// an escaped name (which the generated metadata then reads).</summary>
    private static bool Next(ref Utf8JsonReader r, out ReadOnlySpan<byte> name)
    {
        if (!r.Read() || r.TokenType != JsonTokenType.PropertyName || r.ValueIsEscaped)
        {
            name = default;
            return false;
        }
        name = r.ValueSpan;
        return r.Read();
    }

    private static bool TaskList(ref Utf8JsonReader r, Interner interner, out TaskList? list)
    {
        list = null;
        if (r.TokenType == JsonTokenType.Null) return true;
        if (r.TokenType != JsonTokenType.StartObject) return false;
        string? value = "", read;
        while (Next(ref r, out var name))
        {
            if (!name.SequenceEqual("name"u8) || !Shared(ref r, interner, out read)) return false;
            value = read;
        }
        if (r.TokenType != JsonTokenType.EndObject) return false;
        list = interner.TaskList(value);
        return true;
    }

    private static bool Int64(ref Utf8JsonReader r, out long value)
    {
        value = 0;
        return r.TokenType == JsonTokenType.Number && r.TryGetInt64(out value);
    }

    private static bool String(ref Utf8JsonReader r, out string? value)
    {
        value = null;
        if (r.TokenType == JsonTokenType.Null) return true;
        if (r.TokenType != JsonTokenType.String) return false;
        value = r.GetString();
        return true;
    }

    /// <summary>A short value that repeats across events: one string instance for all of them.</summary>
    private static bool Shared(ref Utf8JsonReader r, Interner interner, out string? value)
    {
        value = null;
        if (r.TokenType == JsonTokenType.Null) return true;
        if (r.TokenType != JsonTokenType.String) return false;
        value = interner.Get(ref r);
        return true;
    }

    /// <summary>A small direct-mapped cache of UTF-8 values and their strings, one per thread: a hit allocates nothing.</summary>
    private sealed class Interner
    {
        private const int Slots = 256;
        private const int MaxLength = 128;
        [ThreadStatic] private static Interner? t_current;
        private readonly byte[]?[] _keys = new byte[]?[Slots];
        private readonly string?[] _values = new string?[Slots];

        // Task lists and activity types met so far in the body being read (a few, replaced in turn): a workflow's
        // decision and activity task lists and the activity types it calls recur on most events. Their names come
        // from the cache above, so the same name is the same string instance; one that missed the cache is a new
        // string and only costs a new object.
        private const int Kept = 8;
        private readonly TaskList?[] _taskLists = new TaskList?[Kept];
        private readonly ActivityType?[] _activityTypes = new ActivityType?[Kept];
        private int _nextTaskList, _nextActivityType;

        public static Interner Current => t_current ??= new Interner();

        /// <summary>Forgets the objects of the previous body, so two responses never share one.</summary>
        public void BeginBody()
        {
            Array.Clear(_taskLists);
            Array.Clear(_activityTypes);
        }

        /// <summary>The task list an earlier event of this body has with this name, else a new one.</summary>
        public TaskList TaskList(string? name)
        {
            foreach (var kept in _taskLists)
                if (kept is not null && ReferenceEquals(kept.Name, name))
                    return kept;
            var list = new TaskList { Name = name! };
            if (name is not null)
            {
                _taskLists[_nextTaskList] = list;
                _nextTaskList = (_nextTaskList + 1) % Kept;
            }
            return list;
        }

        /// <summary>The activity type an earlier event of this body has with this name and version, else a new one.</summary>
        public ActivityType ActivityType(string? name, string? version)
        {
            foreach (var kept in _activityTypes)
                if (kept is not null && ReferenceEquals(kept.Name, name) && ReferenceEquals(kept.Version, version))
                    return kept;
            var type = new ActivityType { Name = name!, Version = version! };
            if (name is not null && version is not null)
            {
                _activityTypes[_nextActivityType] = type;
                _nextActivityType = (_nextActivityType + 1) % Kept;
            }
            return type;
        }

        public string Get(ref Utf8JsonReader r)
        {
            if (r.ValueIsEscaped || r.HasValueSequence || r.ValueSpan.Length > MaxLength)
                return r.GetString()!;
            var span = r.ValueSpan;
            var slot = (int)(Hash(span) & (Slots - 1));
            if (_keys[slot] is { } key && span.SequenceEqual(key))
                return _values[slot]!;
            var value = r.GetString()!; // validates the UTF-8 as the generated path does
            _keys[slot] = span.ToArray();
            _values[slot] = value;
            return value;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes)
            hash = (hash ^ b) * 16777619u;
        return hash ^ (hash >> 15);
    }

    /// <summary>EventType's wire names (the same as its member names, checked by a test) looked up by their UTF-8 bytes.</summary>
    private static class EventTypes
    {
        private const int Slots = 512;
        private static readonly byte[]?[] s_keys = new byte[]?[Slots];
        private static readonly EventType[] s_values = new EventType[Slots];

        static EventTypes()
        {
            foreach (var type in Enum.GetValues<EventType>())
            {
                var key = System.Text.Encoding.UTF8.GetBytes(type.ToString());
                var slot = (int)(Hash(key) & (Slots - 1));
                while (s_keys[slot] is not null)
                    slot = (slot + 1) & (Slots - 1);
                s_keys[slot] = key;
                s_values[slot] = type;
            }
        }

        public static bool TryGet(ReadOnlySpan<byte> name, out EventType type)
        {
            var slot = (int)(Hash(name) & (Slots - 1));
            while (s_keys[slot] is { } key)
            {
                if (name.SequenceEqual(key))
                {
                    type = s_values[slot];
                    return true;
                }
                slot = (slot + 1) & (Slots - 1);
            }
            type = default;
            return false;
        }
    }
}
