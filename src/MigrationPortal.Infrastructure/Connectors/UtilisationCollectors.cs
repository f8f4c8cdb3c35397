using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors;

/// <summary>The utilisation role is registered as a keyed service under the kind, resolving to the kind's own connector instance.</summary>
public sealed class UtilisationCollectors(IServiceProvider services) : IUtilisationCollectors
{
    public IUtilisationCollector? Find(string kind) => services.GetKeyedService<IUtilisationCollector>(kind);
}

public static class UtilisationCollectorRegistration
{
    /// <summary>
    /// Registers the kind's connector (added by <c>AddConnectorKind</c>) in its utilisation role when it implements
    /// <see cref="IUtilisationCollector"/>; a connector without the role adds nothing, and its connections are not collected.
    /// </summary>
    public static IServiceCollection AddUtilisationCollectorIfAny<TConnector>(this IServiceCollection services, string kind) where TConnector : class, IHypervisorConnector
    {
        if (typeof(IUtilisationCollector).IsAssignableFrom(typeof(TConnector)))
            services.AddKeyedScoped(kind, (sp, key) => (IUtilisationCollector)sp.GetRequiredKeyedService<IHypervisorConnector>(key));
        return services;
    }
}
