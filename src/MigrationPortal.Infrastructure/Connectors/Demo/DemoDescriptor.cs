using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Connectors.VSphere;

namespace MigrationPortal.Infrastructure.Connectors.Demo;

/// <summary>
/// The demo kind simulates vSphere, so it takes vSphere's limits and costs (as rows of its own kind, so editing one does
/// not edit the other). The portal creates its demo connections itself (the vCenter-like one and the KVM one, told apart by
/// their endpoints); administrators neither add nor edit one.
/// </summary>
public sealed class DemoDescriptor : IConnectorDescriptor
{
    private static readonly VSphereDescriptor Simulated = new();

    public string Kind => ConnectionKinds.Demo;

    public string DisplayName => "Demo (simulated)";

    public bool AdministratorsAddConnections => false;

    public IReadOnlyList<ConnectionField> Fields { get; } = [];

    public void ValidateConnection(ConnectionFormInput input, Validation check) =>
        check.Add("Kind", "The demo connection is created by the portal itself.");

    public SafetyCopyWording SafetyCopy { get; } = new("a snapshot (demo)", "Take a snapshot first", "a simulated snapshot of the demo VM");

    public IReadOnlyList<LimitDefinition> Limits => Simulated.Limits;

    public void ValidateLimits(IReadOnlyDictionary<string, int> values, Validation check) => ((IConnectorDescriptor)Simulated).ValidateLimits(values, check);

    public IEnumerable<ResourceDemand> DemandsOf(MoveDemand move, Func<string, int> limit) => Simulated.DemandsOf(move, limit);
}
