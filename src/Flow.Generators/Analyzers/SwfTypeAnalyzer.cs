using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Flow.Generators.Analyzers;

/// <summary>Checks what a contract tells SWF: type names (given or derived), versions, task lists, timeouts and
/// child policies must be values SWF accepts, and no two contracts of one assembly may declare the same type.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SwfTypeAnalyzer : DiagnosticAnalyzer
{
    private static readonly string[] s_activityTimeouts = ["ScheduleToStart", "StartToClose", "ScheduleToClose", "Heartbeat"];

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        FlowDiagnostics.InvalidName,
        FlowDiagnostics.InvalidVersion,
        FlowDiagnostics.InvalidTaskList,
        FlowDiagnostics.InvalidTimeout,
        FlowDiagnostics.InvalidChildPolicy,
        FlowDiagnostics.DuplicateSignalName,
        FlowDiagnostics.DuplicateTypeName,
        FlowDiagnostics.DescriptionTooLong);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (FlowSymbols.Create(start.Compilation) is not { } symbols)
                return;
            var declared = new ConcurrentBag<DeclaredType>();
            start.RegisterSymbolAction(c => AnalyzeType(c, symbols, declared), SymbolKind.NamedType);
            start.RegisterCompilationEndAction(c => ReportDuplicates(c, declared));
        });
    }

    /// <summary>An SWF type a contract declares, kept until the end of the compilation to find duplicates.</summary>
    private sealed class DeclaredType(string kind, string name, string version, string declaredBy, Location location)
    {
        public string Kind { get; } = kind;
        public string Name { get; } = name;
        public string Version { get; } = version;
        public string DeclaredBy { get; } = declaredBy;
        public Location Location { get; } = location;
    }

    private static void AnalyzeType(SymbolAnalysisContext context, FlowSymbols symbols, ConcurrentBag<DeclaredType> declared)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var activities = symbols.Find(type, symbols.Activities);
        var workflow = symbols.Find(type, symbols.Workflow);
        // Shape problems (a class, or both attributes) are ContractShapeAnalyzer's; values are still checked here.
        var isContract = type.TypeKind == TypeKind.Interface && (activities is null || workflow is null);
        if (activities is not null)
            AnalyzeActivities(context, symbols, type, activities, isContract, declared);
        if (workflow is not null)
            AnalyzeWorkflow(context, symbols, type, workflow, isContract, declared);
    }

    private static void AnalyzeActivities(SymbolAnalysisContext context, FlowSymbols symbols, INamedTypeSymbol type,
        AttributeData attribute, bool isContract, ConcurrentBag<DeclaredType> declared)
    {
        var location = type.Locations.FirstOrDefault() ?? Location.None;
        var version = CheckVersion(context, attribute, location) ?? SwfRules.DefaultVersion;
        CheckTaskList(context, attribute, location);
        foreach (var timeout in s_activityTimeouts)
            CheckTimeout(context, attribute, timeout, location, allowNone: true, SwfRules.MaxDurationSeconds);

        var prefix = Get(context, attribute, "NamePrefix", location);
        var prefixValid = true;
        if (prefix.IsSet && prefix.Value is not null)
            prefixValid = CheckName(context, prefix, "Activity name prefix");
        var namePrefix = prefix.Value ?? SwfRules.ContractBaseName(type.Name);
        if (!isContract)
            return;

        var methods = ContractMethods(context, type).ToList();
        var overloaded = Overloaded(methods);
        foreach (var method in methods)
        {
            var methodLocation = method.Locations.FirstOrDefault() ?? Location.None;
            var activity = symbols.Find(method, symbols.Activity);
            var methodVersion = version;
            string? name = null;
            var nameLocation = methodLocation;
            var valid = prefixValid;
            if (activity is not null)
            {
                methodVersion = CheckVersion(context, activity, methodLocation) ?? version;
                CheckTaskList(context, activity, methodLocation);
                CheckDescription(context, activity, methodLocation);
                foreach (var timeout in s_activityTimeouts)
                    CheckTimeout(context, activity, timeout, methodLocation, allowNone: true, SwfRules.MaxDurationSeconds);
                var explicitName = Get(context, activity, "Name", methodLocation);
                if (explicitName.Value is not null)
                {
                    name = explicitName.Value;
                    nameLocation = explicitName.Location;
                    valid = CheckName(context, explicitName, "Activity type name");
                }
            }
            if (name is null)
            {
                if (overloaded.Contains(method.Name))
                    continue; // FLOW013 already says why; a duplicate type would only repeat it
                name = SwfRules.DefaultActivityName(namePrefix, method.Name);
                if (prefixValid)
                    valid = CheckDerivedName(context, name, "activity type name", methodLocation, "[Activity(Name = \"...\")]");
            }
            if (valid && SwfRules.CheckIdentifier(methodVersion, SwfRules.MaxVersionLength) is null)
                declared.Add(new DeclaredType("Activity", name, methodVersion, $"{type.Name}.{method.Name}", nameLocation));
        }
    }

    private static void AnalyzeWorkflow(SymbolAnalysisContext context, FlowSymbols symbols, INamedTypeSymbol type,
        AttributeData attribute, bool isContract, ConcurrentBag<DeclaredType> declared)
    {
        var location = type.Locations.FirstOrDefault() ?? Location.None;
        var version = CheckVersion(context, attribute, location) ?? SwfRules.DefaultVersion;
        CheckTaskList(context, attribute, location);
        CheckDescription(context, attribute, location);
        CheckTimeout(context, attribute, "ExecutionStartToClose", location, allowNone: false, SwfRules.MaxExecutionSeconds);
        CheckTimeout(context, attribute, "TaskStartToClose", location, allowNone: true, SwfRules.MaxDurationSeconds);
        var childPolicy = Get(context, attribute, "ChildPolicy", location);
        if (childPolicy.Value is not null && !SwfRules.IsChildPolicy(childPolicy.Value))
            context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.InvalidChildPolicy, childPolicy.Location, SwfRules.Display(childPolicy.Value)));

        var explicitName = Get(context, attribute, "Name", location);
        string? name = null;
        var nameLocation = location;
        var valid = true;
        if (explicitName.Value is not null)
        {
            name = explicitName.Value;
            nameLocation = explicitName.Location;
            valid = CheckName(context, explicitName, "Workflow type name");
        }
        if (!isContract)
            return;

        var methods = ContractMethods(context, type).ToList();
        if (name is null)
        {
            var executes = methods.Where(m => symbols.Has(m, symbols.Execute)).ToList();
            if (executes.Count != 1)
                return; // FLOW005/FLOW006: there is no single name to derive
            name = SwfRules.DefaultWorkflowName(type.Name, executes[0].Name);
            valid = CheckDerivedName(context, name, "workflow type name", location, "[Workflow(Name = \"...\")]");
        }
        if (valid && SwfRules.CheckIdentifier(version, SwfRules.MaxVersionLength) is null)
            declared.Add(new DeclaredType("Workflow", name, version, type.Name, nameLocation));

        var overloaded = Overloaded(methods);
        var signals = new List<(string Name, IMethodSymbol Method, Location Location)>();
        foreach (var method in methods)
        {
            if (symbols.Find(method, symbols.Signal) is not { } signal)
                continue;
            var methodLocation = method.Locations.FirstOrDefault() ?? Location.None;
            var signalName = Get(context, signal, "Name", methodLocation);
            if (signalName.Value is not null)
            {
                if (CheckName(context, signalName, "Signal name"))
                    signals.Add((signalName.Value, method, signalName.Location));
            }
            else if (!overloaded.Contains(method.Name)) // FLOW013 already says why
            {
                // Method names cannot hold characters SWF rejects, so only the length can be wrong.
                var derived = SwfRules.DefaultSignalName(method.Name);
                if (CheckDerivedName(context, derived, "signal name", methodLocation, "[Signal(Name = \"...\")]"))
                    signals.Add((derived, method, methodLocation));
            }
        }
        foreach (var group in signals.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var methodNames = string.Join(" and ", group.Select(s => $"'{s.Method.Name}'"));
            foreach (var signal in group)
            {
                context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.DuplicateSignalName, signal.Location,
                    SwfRules.Display(group.Key), methodNames, type.Name));
            }
        }
    }

    /// <summary>The abstract instance methods the generator maps to SWF (the shape analyzer reports the rest).</summary>
    private static IEnumerable<IMethodSymbol> ContractMethods(SymbolAnalysisContext context, INamedTypeSymbol type) =>
        type.GetMembers().OfType<IMethodSymbol>()
            .Where(m => m.MethodKind == MethodKind.Ordinary && m.IsAbstract && !m.IsStatic
                && !GeneratedCode.IsGenerated(m, context.Options, context.CancellationToken));

    private static HashSet<string> Overloaded(List<IMethodSymbol> methods) =>
        new(methods.GroupBy(m => m.Name).Where(g => g.Count() > 1).Select(g => g.Key));

    private static AttributeArgument Get(SymbolAnalysisContext context, AttributeData attribute, string name, Location fallback) =>
        AttributeArgument.Get(attribute, name, fallback, context.CancellationToken);

    /// <summary>The version written on the attribute (reported when invalid), or null when it is not set.</summary>
    private static string? CheckVersion(SymbolAnalysisContext context, AttributeData attribute, Location fallback)
    {
        var version = Get(context, attribute, "Version", fallback);
        if (!version.IsSet)
            return null;
        var problem = SwfRules.CheckIdentifier(version.Value, SwfRules.MaxVersionLength);
        if (problem is not null)
            context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.InvalidVersion, version.Location, SwfRules.Display(version.Value), problem));
        return version.Value ?? "";
    }

    private static void CheckDescription(SymbolAnalysisContext context, AttributeData attribute, Location fallback)
    {
        var description = Get(context, attribute, "Description", fallback);
        if (description.Value is { Length: > SwfRules.MaxDescriptionLength } text)
            context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.DescriptionTooLong, description.Location, text.Length));
    }

    private static void CheckTaskList(SymbolAnalysisContext context, AttributeData attribute, Location fallback)
    {
        var taskList = Get(context, attribute, "TaskList", fallback);
        if (taskList.Value is null)
            return;
        var problem = SwfRules.CheckIdentifier(taskList.Value, SwfRules.MaxNameLength);
        if (problem is not null)
            context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.InvalidTaskList, taskList.Location, SwfRules.Display(taskList.Value), problem));
    }

    private static void CheckTimeout(SymbolAnalysisContext context, AttributeData attribute, string property, Location fallback,
        bool allowNone, long maxSeconds)
    {
        var timeout = Get(context, attribute, property, fallback);
        if (timeout.Value is null)
            return;
        var problem = SwfRules.CheckTimeout(timeout.Value, allowNone, maxSeconds, out _);
        if (problem is not null)
            context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.InvalidTimeout, timeout.Location, property, SwfRules.Display(timeout.Value), problem));
    }

    private static bool CheckName(SymbolAnalysisContext context, AttributeArgument name, string what)
    {
        var problem = SwfRules.CheckIdentifier(name.Value, SwfRules.MaxNameLength);
        if (problem is null)
            return true;
        context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.InvalidName, name.Location, what, SwfRules.Display(name.Value), problem));
        return false;
    }

    private static bool CheckDerivedName(SymbolAnalysisContext context, string name, string what, Location location, string attribute)
    {
        var problem = SwfRules.CheckIdentifier(name, SwfRules.MaxNameLength);
        if (problem is null)
            return true;
        context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.InvalidName, location, "Default " + what, SwfRules.Display(name),
            problem + "; choose a shorter one with " + attribute));
        return false;
    }

    private static void ReportDuplicates(CompilationAnalysisContext context, ConcurrentBag<DeclaredType> declared)
    {
        var groups = declared
            .GroupBy(d => (d.Kind, d.Name, d.Version))
            .Where(g => g.Count() > 1);
        foreach (var group in groups)
        {
            var all = group.OrderBy(d => d.DeclaredBy, StringComparer.Ordinal).ToList();
            foreach (var entry in all)
            {
                var others = string.Join(" and ", all.Where(d => !ReferenceEquals(d, entry)).Select(d => $"'{d.DeclaredBy}'"));
                context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.DuplicateTypeName, entry.Location,
                    entry.Kind, SwfRules.Display(entry.Name), SwfRules.Display(entry.Version), others));
            }
        }
    }
}
