namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// One hypervisor family, keyed by connection kind (demo, vsphere, libvirt). It is the sum of four roles, in the style of
/// Forklift's provider adapters, so a use case asks only for the role it needs: <see cref="IInventoryCollector"/>,
/// <see cref="IConnectorPrechecks"/>, <see cref="ISourceOperations"/> and <see cref="IDestinationOperations"/>. What a kind
/// decides without calling its hypervisor (form fields, wording, limits) is its <see cref="IConnectorDescriptor"/>.
/// Every method reports hypervisor faults as <see cref="ConnectorException"/>.
/// </summary>
public interface IHypervisorConnector : IInventoryCollector, IConnectorPrechecks, ISourceOperations, IDestinationOperations
{
    /// <summary>The connection kind this connector serves.</summary>
    new string Kind { get; }

    string IInventoryCollector.Kind => Kind;

    string IConnectorPrechecks.Kind => Kind;
}

/// <summary>Looks up the connector for a connection kind.</summary>
public interface IConnectorResolver
{
    IHypervisorConnector Resolve(string kind);
}
