using Microsoft.CodeAnalysis;

namespace Flow.Generators.Tests;

public sealed class JsonMetadataGenerationTests
{
    private const string AbstractPayload = """
        using System.Threading.Tasks;
        using Flow;

        namespace Shapes;

        public abstract record Shape;
        public sealed record Circle(double Radius) : Shape;

        [Activities]
        public partial interface IGeometry
        {
            Task<double> AreaAsync(Shape shape);
        }
        """;

    private const string ShapeContext = """
        using System.Text.Json.Serialization;

        [assembly: Flow.FlowJsonContext(typeof(Shapes.ShapeJson))]

        namespace Shapes;

        [JsonSerializable(typeof(Shape))]
        [JsonDerivedType(typeof(Circle), "circle")]
        internal sealed partial class ShapeJson : JsonSerializerContext;
        """;

    [Test]
    public void A_payload_type_without_metadata_is_a_build_error_at_its_use()
    {
        var compilation = GeneratorHarness.Compile(AbstractPayload);

        var (result, _) = GeneratorHarness.Run(compilation);

        var diagnostic = result.Diagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("FLOW100"));
        Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Error));
        Assert.That(diagnostic.GetMessage(), Does.Contain("global::Shapes.Shape").And.Contain("IGeometry.AreaAsync").And.Contain("FlowJsonContext"));
        Assert.That(diagnostic.Location.GetLineSpan().Path, Is.EqualTo("Source0.cs"));
        Assert.That(compilation.SyntaxTrees[0].GetText().ToString(diagnostic.Location.SourceSpan), Is.EqualTo("shape"));
    }

    [Test]
    public void A_type_declared_by_a_user_json_context_is_left_to_that_context()
    {
        var compilation = GeneratorHarness.Compile(AbstractPayload, ShapeContext);

        var (result, output) = GeneratorHarness.Run(compilation, GeneratorHarness.CreateDriver(GeneratorHarness.SystemTextJsonGenerator()));

        Assert.That(result.Diagnostics.Where(d => d.Id.StartsWith("FLOW", StringComparison.Ordinal)), Is.Empty);
        var metadata = result.GeneratedTrees.Single(t => t.FilePath.EndsWith("Flow.JsonMetadata.g.cs", StringComparison.Ordinal)).ToString();
        Assert.That(metadata, Does.Contain($"CreateOptions(new {Names.MetadataClass("Contracts")}(), global::Shapes.ShapeJson.Default)"));
        Assert.That(metadata, Does.Not.Contain("typeof(global::Shapes.Shape)"));
        Assert.That(GeneratorHarness.Problems(output), Is.Empty);
    }

    [Test]
    public void The_metadata_class_name_carries_the_assembly_name_and_a_hash_that_is_the_same_in_every_process()
    {
        Assert.That(Names.MetadataClass("My.Lib"), Is.EqualTo("FlowJson_My_Lib_014c5e9e"));
        Assert.That(Names.MetadataClass("My_Lib"), Is.EqualTo("FlowJson_My_Lib_67701bd3"));
    }

    [TestCase("Library", "App")]
    [TestCase("My.Lib", "My_Lib", Description = "names that read the same as C# identifiers")]
    [TestCase("My_Lib", "My.Lib")]
    public void Two_assemblies_with_contracts_build_together_even_when_one_sees_the_others_internals(string libraryName, string appName)
    {
        var library = $$"""
            using System.Runtime.CompilerServices;
            using System.Threading.Tasks;
            using Flow;

            [assembly: InternalsVisibleTo("{{appName}}")]

            namespace Shared;

            public sealed record Item(string Name, int Count);

            [Activities(TaskList = "shared")]
            public partial interface IInventory
            {
                Task<Item> ReserveAsync(Item item);
            }
            """;
        const string app = """
            using System.Threading.Tasks;
            using Flow;
            using Shared;

            namespace Shared.App;

            [Activities]
            public partial interface IInventory
            {
                Task<Item[]> ListAsync();
            }

            [Workflow]
            public partial interface IRestock
            {
                [Execute] Task<Item> RunAsync(Item item);
            }

            public sealed class Restock : IRestock
            {
                public Task<Item> RunAsync(Item item) => new Shared.InventoryClient().ReserveAsync(item);
            }
            """;
        var (_, libraryOutput) = GeneratorHarness.Run(GeneratorHarness.Compile(libraryName, [library]));
        Assert.That(GeneratorHarness.Problems(libraryOutput), Is.Empty);
        using var image = new MemoryStream();
        Assert.That(libraryOutput.Emit(image).Success, Is.True);

        var (result, appOutput) = GeneratorHarness.Run(GeneratorHarness.Compile(appName, [app], [MetadataReference.CreateFromImage(image.ToArray())]));

        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(GeneratorHarness.Problems(appOutput), Is.Empty);
    }

    [Test]
    public void Two_libraries_with_same_named_contracts_in_other_namespaces_build_into_one_app_with_its_own()
    {
        static string Library(string ns) => $$"""
            using System.Runtime.CompilerServices;
            using System.Threading.Tasks;
            using Flow;

            [assembly: InternalsVisibleTo("App")]

            namespace {{ns}};

            public sealed record Order(string Id);

            [Activities(NamePrefix = "{{ns}}")]
            public partial interface IOrders { Task<Order> GetAsync(string id); }

            [Workflow(Name = "{{ns}}.Process")]
            public partial interface IProcess { [Execute] Task<Order> RunAsync(Order order); }
            """;
        const string app = """
            using System.Threading.Tasks;
            using Flow;

            namespace App;

            [Activities]
            public partial interface IOrders { Task<Billing.Order> CopyAsync(Shipping.Order order); }

            public sealed class Process : Billing.IProcess
            {
                public async Task<Billing.Order> RunAsync(Billing.Order order)
                {
                    var shipped = await new Shipping.OrdersClient().GetAsync(order.Id);
                    await new Shipping.ProcessChildClient().RunAsync(shipped);
                    var billed = await new Billing.OrdersClient().GetAsync(shipped.Id);
                    return await new OrdersClient().CopyAsync(new Shipping.Order(billed.Id));
                }
            }

            public static class Registration
            {
                public static WorkflowHandler[] Workflows() =>
                    [Billing.ProcessDispatch.CreateHandler(() => new Process()), Shipping.ProcessDispatch.CreateHandler(() => null!)];
            }
            """;
        var references = new List<MetadataReference>();
        foreach (var (name, ns) in new[] { ("Billing.Contracts", "Billing"), ("Shipping.Contracts", "Shipping") })
        {
            var (libraryResult, libraryOutput) = GeneratorHarness.Run(GeneratorHarness.Compile(name, [Library(ns)]));
            Assert.That(libraryResult.Diagnostics, Is.Empty);
            Assert.That(GeneratorHarness.Problems(libraryOutput), Is.Empty);
            using var image = new MemoryStream();
            Assert.That(libraryOutput.Emit(image).Success, Is.True);
            references.Add(MetadataReference.CreateFromImage(image.ToArray()));
        }

        var (result, appOutput) = GeneratorHarness.Run(GeneratorHarness.Compile("App", [app], references));

        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(GeneratorHarness.Problems(appOutput), Is.Empty);
        using var appImage = new MemoryStream();
        Assert.That(appOutput.Emit(appImage).Success, Is.True);
    }
}
