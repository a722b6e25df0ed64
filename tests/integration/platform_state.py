"""Reading the platform back from the emulator: what exists, and what is left after teardown."""

from __future__ import annotations

import json

RETENTION_7_YEARS = 2557
# The password moto generates for every RDS-managed master secret: it must
# never appear in any playbook output.
EMULATOR_MASTER_PASSWORD = "P@55w0rd!"


def tag_value(item: dict, key: str):
    for tag in item.get("Tags", item.get("TagList", [])):
        if tag["Key"] == key:
            return tag["Value"]
    return None


def by_name(items: list[dict]) -> dict:
    return {tag_value(item, "Name"): item for item in items}


def suffix_filter(env_suffix: str) -> list[dict]:
    return [{"Name": "tag:Environment", "Values": [env_suffix]}]


def policy_document(document) -> dict:
    return json.loads(document) if isinstance(document, str) else document


def wildcard_grants(document) -> list[dict]:
    """Statements that allow every action on every resource (R85 forbids them)."""
    found = []
    for statement in policy_document(document)["Statement"]:
        actions = statement.get("Action", [])
        resources = statement.get("Resource", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if statement["Effect"] == "Allow" and "*" in actions and "*" in resources:
            found.append(statement)
    return found


def _network_leftovers(emulator, env_suffix: str) -> dict:
    ec2 = emulator.client("ec2")
    flt = suffix_filter(env_suffix)
    return {
        "vpcs": [v["VpcId"] for v in ec2.describe_vpcs(Filters=flt)["Vpcs"]],
        "subnets": [s["SubnetId"] for s in ec2.describe_subnets(Filters=flt)["Subnets"]],
        "security_groups": [g["GroupId"] for g in ec2.describe_security_groups(Filters=flt)["SecurityGroups"]],
        "route_tables": [r["RouteTableId"] for r in ec2.describe_route_tables(Filters=flt)["RouteTables"]],
        "internet_gateways": [
            i["InternetGatewayId"] for i in ec2.describe_internet_gateways(Filters=flt)["InternetGateways"]
        ],
        "nat_gateways": [
            n["NatGatewayId"]
            for n in ec2.describe_nat_gateways(Filters=flt)["NatGateways"]
            if n["State"] not in ("deleted", "deleting")
        ],
        "vpc_endpoints": [
            e["VpcEndpointId"]
            for e in ec2.describe_vpc_endpoints(Filters=flt)["VpcEndpoints"]
            if e["State"].lower() not in ("deleted", "deleting")
        ],
        "flow_logs": [
            f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"] if env_suffix in f.get("LogGroupName", "")
        ],
        # Elastic IPs of the NAT gateways carry no tags of ours; any left would be ours.
        "elastic_ips": [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"] if "AssociationId" not in a],
    }


def _data_leftovers(emulator, env_suffix: str) -> dict:
    rds = emulator.client("rds")
    secrets = emulator.client("secretsmanager").list_secrets()["SecretList"]
    return {
        "db_clusters": [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]
                        if env_suffix in c["DBClusterIdentifier"]],
        "db_instances": [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]
                         if env_suffix in i["DBInstanceIdentifier"]],
        "db_cluster_parameter_groups": [
            g["DBClusterParameterGroupName"]
            for g in rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]
            if env_suffix in g["DBClusterParameterGroupName"]
        ],
        "db_subnet_groups": [g["DBSubnetGroupName"] for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]
                             if env_suffix in g["DBSubnetGroupName"]],
        "secrets": [s["Name"] for s in secrets if env_suffix in json.dumps(s, default=str)],
        "db_cluster_snapshots": [
            s["DBClusterSnapshotIdentifier"]
            for s in rds.describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]
            if env_suffix in s["DBClusterIdentifier"]
        ],
    }


def _backup_verification_leftovers(emulator, env_suffix: str) -> dict:
    return {
        "lambda_functions": [f["FunctionName"] for f in emulator.client("lambda").list_functions()["Functions"]
                             if env_suffix in f["FunctionName"]],
        "event_rules": [r["Name"] for r in emulator.client("events").list_rules()["Rules"] if env_suffix in r["Name"]],
        "sns_topics": [t["TopicArn"] for t in emulator.client("sns").list_topics()["Topics"]
                       if env_suffix in t["TopicArn"]],
        "alarms": [a["AlarmName"] for a in emulator.client("cloudwatch").describe_alarms()["MetricAlarms"]
                   if env_suffix in a["AlarmName"]],
    }


def _compute_edge_leftovers(emulator, env_suffix: str) -> dict:
    ecs = emulator.client("ecs")
    clusters = [c for c in ecs.list_clusters()["clusterArns"] if env_suffix in c]
    active_clusters = [c["clusterName"] for c in ecs.describe_clusters(clusters=clusters)["clusters"]
                       if c["status"] == "ACTIVE"] if clusters else []
    services = []
    for cluster in clusters:
        arns = ecs.list_services(cluster=cluster)["serviceArns"]
        if arns:
            services += [s["serviceName"] for s in ecs.describe_services(cluster=cluster, services=arns)["services"]
                         if s["status"] == "ACTIVE"]
    elbv2 = emulator.client("elbv2")
    waf = emulator.client("wafv2")
    scaling = emulator.client("application-autoscaling")
    return {
        "ecr_repositories": [r["repositoryName"] for r in emulator.client("ecr").describe_repositories()["repositories"]
                             if env_suffix in r["repositoryName"]],
        "ecs_clusters": active_clusters,
        "ecs_services": services,
        "task_definitions": [arn for arn in ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]
                             if env_suffix in arn],
        "scalable_targets": [t["ResourceId"] for t in scaling.describe_scalable_targets(ServiceNamespace="ecs")[
            "ScalableTargets"] if env_suffix in t["ResourceId"]],
        "load_balancers": [lb["LoadBalancerName"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]
                           if env_suffix in lb["LoadBalancerName"]],
        "target_groups": [g["TargetGroupName"] for g in elbv2.describe_target_groups()["TargetGroups"]
                          if env_suffix in g["TargetGroupName"]],
        "web_acls": [a["Name"] for a in waf.list_web_acls(Scope="REGIONAL")["WebACLs"] if env_suffix in a["Name"]],
        "s3_buckets": [b["Name"] for b in emulator.client("s3").list_buckets()["Buckets"] if env_suffix in b["Name"]],
    }


def leftovers(emulator, env_suffix: str) -> dict:
    """Everything of this env_suffix still present in the emulator, by kind."""
    found = {}
    found.update(_compute_edge_leftovers(emulator, env_suffix))
    found.update(_network_leftovers(emulator, env_suffix))
    found.update(_data_leftovers(emulator, env_suffix))
    found.update(_backup_verification_leftovers(emulator, env_suffix))
    found["log_groups"] = [g["logGroupName"] for g in emulator.client("logs").describe_log_groups()["logGroups"]
                           if env_suffix in g["logGroupName"]]
    found["iam_roles"] = [r["RoleName"] for r in emulator.client("iam").list_roles()["Roles"]
                          if env_suffix in r["RoleName"]]
    kms = emulator.client("kms")
    found["kms_keys"] = [
        a["AliasName"]
        for a in kms.list_aliases()["Aliases"]
        if env_suffix in a["AliasName"]
        and kms.describe_key(KeyId=a["TargetKeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion"
    ]
    return {kind: ids for kind, ids in found.items() if ids}


def log_group(emulator, name: str) -> dict:
    groups = emulator.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    matches = [g for g in groups if g["logGroupName"] == name]
    assert matches, "log group %s does not exist" % name
    return matches[0]


def customer_key(emulator, alias: str) -> dict:
    """The key behind an alias, asserted customer-managed with rotation on."""
    kms = emulator.client("kms")
    key = kms.describe_key(KeyId=alias)["KeyMetadata"]
    assert key["KeyManager"] == "CUSTOMER" and key["KeyState"] == "Enabled", key
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True, alias
    return key


def assert_network_state(emulator, env_suffix: str) -> None:
    ec2 = emulator.client("ec2")
    vpcs = ec2.describe_vpcs(Filters=suffix_filter(env_suffix))["Vpcs"]
    assert len(vpcs) == 1
    vpc = vpcs[0]
    vpc_id = vpc["VpcId"]
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert tag_value(vpc, "Name") == "vpc-payments-%s" % env_suffix
    assert {tag_value(vpc, k) for k in ("Project", "ManagedBy")} == {"payments", "ansible:fintech.payment_platform"}
    for attribute in ("enableDnsSupport", "enableDnsHostnames"):
        key = attribute[0].upper() + attribute[1:]
        assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)[key]["Value"] is True

    # Nine subnets: one public, private and database subnet in each of three zones.
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    by_tier: dict[str, list] = {}
    for subnet in subnets:
        by_tier.setdefault(tag_value(subnet, "SubnetTier"), []).append(subnet)
        assert subnet["MapPublicIpOnLaunch"] is False
    assert sorted(by_tier) == ["database", "private", "public"]
    zones = sorted({s["AvailabilityZone"] for s in subnets})
    assert len(zones) == 3
    for tier, members in by_tier.items():
        assert sorted(s["AvailabilityZone"] for s in members) == zones, tier

    # One NAT gateway per zone, in the public subnets.
    nats = [n for n in ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]
            if n["State"] == "available"]
    public_ids = {s["SubnetId"]: s["AvailabilityZone"] for s in by_tier["public"]}
    assert sorted(public_ids[n["SubnetId"]] for n in nats) == zones
    nat_zone = {n["NatGatewayId"]: public_ids[n["SubnetId"]] for n in nats}

    # Routes: public -> IGW, each private subnet -> the NAT of its own zone,
    # database -> nothing outside the VPC (only the S3 gateway endpoint).
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    table_of = {}
    for table in tables:
        for assoc in table.get("Associations", []):
            if assoc.get("SubnetId"):
                table_of[assoc["SubnetId"]] = table
    for subnet in by_tier["public"]:
        routes = table_of[subnet["SubnetId"]]["Routes"]
        assert any(r.get("DestinationCidrBlock") == "0.0.0.0/0" and r.get("GatewayId", "").startswith("igw-")
                   for r in routes)
    for subnet in by_tier["private"]:
        default = [r for r in table_of[subnet["SubnetId"]]["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        assert len(default) == 1 and nat_zone[default[0]["NatGatewayId"]] == subnet["AvailabilityZone"]
    for subnet in by_tier["database"]:
        routes = table_of[subnet["SubnetId"]]["Routes"]
        assert not [r for r in routes if r.get("DestinationCidrBlock") not in (None, "10.0.0.0/16")], routes
        assert not [r for r in routes if r.get("GatewayId", "").startswith("igw-") or r.get("NatGatewayId")]

    # Security groups reference each other; only web is open to the internet.
    groups = by_name(ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"])
    sg = {key: groups["secgroup-%s-%s" % (key, env_suffix)] for key in ("web", "app", "database", "lambda", "endpoints")}
    sg_id = {key: group["GroupId"] for key, group in sg.items()}

    def ingress(key):
        return {(p.get("FromPort"), pair["GroupId"]) for p in sg[key]["IpPermissions"] for pair in p["UserIdGroupPairs"]}

    def open_to_world(key):
        return {p.get("FromPort") for p in sg[key]["IpPermissions"]
                for r in p.get("IpRanges", []) if r["CidrIp"] == "0.0.0.0/0"}

    assert open_to_world("web") == {443, 80}
    for key in ("app", "database", "lambda", "endpoints"):
        assert open_to_world(key) == set(), key
    assert ingress("app") == {(8080, sg_id["web"])}
    assert ingress("database") == {(5432, sg_id["app"]), (5432, sg_id["lambda"])}
    assert ingress("endpoints") == {(443, sg_id["app"]), (443, sg_id["lambda"])}
    assert sg["database"]["IpPermissionsEgress"] == []

    # Endpoints: S3 gateway on private + database route tables, interface endpoints in private subnets.
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    prefix = "com.amazonaws.%s." % emulator.region
    services = {e["ServiceName"].removeprefix(prefix): e for e in endpoints}
    assert sorted(services) == sorted(["s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "xray", "sts"])
    assert services["s3"]["VpcEndpointType"] == "Gateway"
    private_tables = {table_of[s["SubnetId"]]["RouteTableId"] for s in by_tier["private"] + by_tier["database"]}
    assert set(services["s3"]["RouteTableIds"]) == private_tables
    private_ids = {s["SubnetId"] for s in by_tier["private"]}
    for name, endpoint in services.items():
        if name != "s3":
            assert set(endpoint["SubnetIds"]) == private_ids, name
            assert [g["GroupId"] for g in endpoint["Groups"]] == [sg_id["endpoints"]], name

    # Flow logs to a 7-year, KMS-encrypted log group, through a scoped role.
    group_name = "/payments/%s/vpc-flow-logs" % env_suffix
    logs = emulator.client("logs")
    log_group = [g for g in logs.describe_log_groups(logGroupNamePrefix=group_name)["logGroups"]
                 if g["logGroupName"] == group_name][0]
    assert log_group["retentionInDays"] == RETENTION_7_YEARS
    kms = emulator.client("kms")
    key = kms.describe_key(KeyId="alias/kms-logs-%s" % env_suffix)["KeyMetadata"]
    assert log_group["kmsKeyId"] == key["Arn"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    flow_logs = [f for f in ec2.describe_flow_logs()["FlowLogs"] if f["ResourceId"] == vpc_id]
    assert len(flow_logs) == 1
    assert flow_logs[0]["LogGroupName"] == group_name and flow_logs[0]["TrafficType"] == "ALL"
    role_name = "role-payments-flow-logs-%s" % env_suffix
    assert flow_logs[0]["DeliverLogsPermissionArn"].endswith(":role/" + role_name)
    policy = emulator.client("iam").get_role_policy(RoleName=role_name, PolicyName="write-flow-logs")["PolicyDocument"]
    if isinstance(policy, str):
        policy = json.loads(policy)
    resources = [r for statement in policy["Statement"] for r in statement["Resource"]]
    assert resources and all(group_name in r for r in resources)


def assert_database_state(emulator, env_suffix: str) -> dict:
    """R20-R25 read back; returns the cluster."""
    rds = emulator.client("rds")
    cluster_id = "aurora-payments-%s" % env_suffix
    (cluster,) = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"]
    data_key = customer_key(emulator, "alias/kms-data-%s" % env_suffix)

    assert cluster["Engine"] == "aurora-postgresql" and cluster["EngineMode"] == "provisioned"
    assert cluster["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 2.0}
    assert cluster["StorageEncrypted"] is True and cluster["KmsKeyId"] == data_key["Arn"]
    assert cluster["BackupRetentionPeriod"] >= 7
    assert cluster["PreferredBackupWindow"] and cluster["PreferredMaintenanceWindow"]
    assert cluster["EnabledCloudwatchLogsExports"] == ["postgresql"]
    assert cluster["IAMDatabaseAuthenticationEnabled"] is True
    assert cluster["DeletionProtection"] is False
    assert cluster["CopyTagsToSnapshot"] is True
    assert cluster["DatabaseName"] == "payments"
    assert tag_value(cluster, "Environment") == env_suffix

    # TLS enforced by the cluster parameter group.
    group = cluster["DBClusterParameterGroup"]
    assert group == "cpg-payments-%s-aurora-postgresql16" % env_suffix
    (group_info,) = rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=group)[
        "DBClusterParameterGroups"]
    assert group_info["DBParameterGroupFamily"] == "aurora-postgresql16"
    params = {p["ParameterName"]: p.get("ParameterValue")
              for p in rds.describe_db_cluster_parameters(DBClusterParameterGroupName=group)["Parameters"]}
    assert params.get("rds.force_ssl") == "1"

    # Subnet group on the three database subnets.
    (subnet_group,) = rds.describe_db_subnet_groups(DBSubnetGroupName=cluster["DBSubnetGroup"])["DBSubnetGroups"]
    ec2 = emulator.client("ec2")
    database_subnets = {
        s["SubnetId"] for s in ec2.describe_subnets(Filters=suffix_filter(env_suffix))["Subnets"]
        if tag_value(s, "SubnetTier") == "database"
    }
    assert {s["SubnetIdentifier"] for s in subnet_group["Subnets"]} == database_subnets
    assert len(database_subnets) == 3
    sg_ids = [g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]]
    sg = ec2.describe_security_groups(GroupIds=sg_ids)["SecurityGroups"]
    assert [tag_value(g, "Name") for g in sg] == ["secgroup-database-%s" % env_suffix]

    # The master credential: an RDS-managed secret, with our key, rotating.
    secret = cluster["MasterUserSecret"]
    assert secret["KmsKeyId"] == data_key["Arn"]
    described = emulator.client("secretsmanager").describe_secret(SecretId=secret["SecretArn"])
    # Secrets Manager reports the key as it was given: the data key's ARN, id or alias.
    assert described["KmsKeyId"].split(":")[-1] in (data_key["Arn"], data_key["KeyId"], "key/" + data_key["KeyId"],
                                                    "alias/kms-data-%s" % env_suffix)
    assert described["RotationEnabled"] is True
    assert described["RotationRules"]["AutomaticallyAfterDays"] == 7

    # Writer and reader, db.serverless, in two zones, not public, Performance Insights with our key.
    instances = rds.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [cluster_id]}])["DBInstances"]
    assert len(instances) == 2
    assert len({i["AvailabilityZone"] for i in instances}) == 2
    for instance in instances:
        assert instance["DBInstanceClass"] == "db.serverless"
        assert instance["PubliclyAccessible"] is False
        assert instance["PerformanceInsightsEnabled"] is True
        assert instance["PerformanceInsightsKMSKeyId"] == data_key["Arn"]
        assert instance["DBInstanceStatus"] == "available"
    members = {m["DBInstanceIdentifier"]: m["IsClusterWriter"] for m in cluster["DBClusterMembers"]}
    assert sorted(members.values()) == [False, True]

    # The PostgreSQL log export lands in a 7-year, KMS-encrypted group created by us.
    group = log_group(emulator, "/aws/rds/cluster/%s/postgresql" % cluster_id)
    assert group["retentionInDays"] == RETENTION_7_YEARS
    assert group["kmsKeyId"] == customer_key(emulator, "alias/kms-logs-%s" % env_suffix)["Arn"]
    return cluster


def assert_backup_verification_state(emulator, env_suffix: str, cluster: dict) -> None:
    """R70-R71 read back."""
    name = "fn-payments-backup-verification-%s" % env_suffix
    function = emulator.client("lambda").get_function(FunctionName=name)
    config = function["Configuration"]
    assert config["Runtime"] in ("python3.12", "python3.13")
    assert config["TracingConfig"]["Mode"] == "Active"
    assert config["Handler"] == "handler.handler"
    variables = config["Environment"]["Variables"]
    assert variables["CLUSTER_IDENTIFIER"] == cluster["DBClusterIdentifier"]
    topic_arn = variables["ALERTS_TOPIC_ARN"]
    assert topic_arn.endswith(":sns-payments-alerts-%s" % env_suffix)

    # The function's role: only what it needs (R85).
    role_name = config["Role"].rsplit("/", 1)[1]
    assert role_name == "role-payments-backup-verification-%s" % env_suffix
    iam = emulator.client("iam")
    assert iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == []
    (policy_name,) = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    policy = policy_document(iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"])
    assert wildcard_grants(policy) == []
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["ReadTheCluster"]["Resource"] == cluster["DBClusterArn"]
    assert by_sid["ReadTheCluster"]["Action"] == "rds:DescribeDBClusters"
    assert by_sid["ListTheClustersSnapshots"]["Action"] == "rds:DescribeDBClusterSnapshots"
    assert by_sid["PublishAlerts"]["Resource"] == topic_arn
    assert by_sid["PutMetricsInOwnNamespace"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "Payments/BackupVerification"}}

    # Its log group exists before it runs: 7 years, KMS.
    group = log_group(emulator, "/aws/lambda/%s" % name)
    assert group["retentionInDays"] == RETENTION_7_YEARS and group["kmsKeyId"]

    # The daily rule targets it, and only that rule may invoke it.
    events = emulator.client("events")
    rule_name = "rule-payments-backup-verification-%s" % env_suffix
    rule = events.describe_rule(Name=rule_name)
    assert rule["State"] == "ENABLED" and rule["ScheduleExpression"] == "cron(0 6 * * ? *)"
    targets = events.list_targets_by_rule(Rule=rule_name)["Targets"]
    assert [t["Arn"] for t in targets] == [config["FunctionArn"]]
    permission = policy_document(emulator.client("lambda").get_policy(FunctionName=name)["Policy"])
    (statement,) = permission["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == rule["Arn"]

    # The alerts topic is encrypted with its own customer-managed key.
    alerts_key = customer_key(emulator, "alias/kms-alerts-%s" % env_suffix)
    attributes = emulator.client("sns").get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert attributes["KmsMasterKeyId"] in (alerts_key["Arn"], alerts_key["KeyId"], "alias/kms-alerts-%s" % env_suffix)

    # Alarms on the function's errors and on the verification result, to the topic.
    alarms = {a["AlarmName"]: a for a in emulator.client("cloudwatch").describe_alarms(
        AlarmNamePrefix="alarm-payments-backup-verification-")["MetricAlarms"] if env_suffix in a["AlarmName"]}
    assert len(alarms) == 2
    metrics = {(a["Namespace"], a["MetricName"]) for a in alarms.values()}
    assert metrics == {("AWS/Lambda", "Errors"), ("Payments/BackupVerification", "BackupVerified")}
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [topic_arn] and alarm["OKActions"] == [topic_arn]


def listener_weights(emulator, env_suffix: str) -> dict:
    """The blue/green weights of the forwarding listener, read back."""
    elbv2 = emulator.client("elbv2")
    (alb,) = elbv2.describe_load_balancers(Names=["alb-payments-%s" % env_suffix])["LoadBalancers"]
    listeners = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    (forwarding,) = [listener for listener in listeners if listener["DefaultActions"][0]["Type"] == "forward"]
    groups = {g["TargetGroupArn"]: g["TargetGroupName"] for g in elbv2.describe_target_groups()["TargetGroups"]}
    weights = {}
    for group in forwarding["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]:
        colour = groups[group["TargetGroupArn"]].split("-")[2]
        weights[colour] = group["Weight"]
    return weights


def colour_services(emulator, env_suffix: str) -> dict:
    """Per colour: the service's task definition, image of the app container and desired count."""
    ecs = emulator.client("ecs")
    cluster = "ecs-payments-%s" % env_suffix
    names = {colour: "svc-payments-%s-%s" % (colour, env_suffix) for colour in ("blue", "green")}
    services = {s["serviceName"]: s for s in ecs.describe_services(cluster=cluster, services=list(names.values()))["services"]}
    result = {}
    for colour, name in names.items():
        service = services[name]
        definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        (app,) = [c for c in definition["containerDefinitions"] if c["name"] == "app"]
        result[colour] = {
            "task_definition": service["taskDefinition"],
            "revision": definition["revision"],
            "image": app["image"],
            "desired_count": service["desiredCount"],
        }
    return result


def scaling_minimums(emulator, env_suffix: str) -> dict:
    targets = emulator.client("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    return {t["ResourceId"].rsplit("/", 1)[1].split("-")[2]: t["MinCapacity"]
            for t in targets if t["ResourceId"].endswith("-" + env_suffix)}


def assert_edge_state(emulator, env_suffix: str, network: dict) -> dict:
    """R40-R41 read back: the load balancer, its listener, target groups, access logs and WAF."""
    elbv2 = emulator.client("elbv2")
    (alb,) = elbv2.describe_load_balancers(Names=["alb-payments-%s" % env_suffix])["LoadBalancers"]
    assert alb["Scheme"] == "internet-facing" and alb["Type"] == "application"
    assert sorted(z["SubnetId"] for z in alb["AvailabilityZones"]) == sorted(network["public_subnets"])
    assert alb["SecurityGroups"] == [network["web_sg"]]
    attributes = {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(
        LoadBalancerArn=alb["LoadBalancerArn"])["Attributes"]}
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["routing.http2.enabled"] == "true"
    assert attributes["deletion_protection.enabled"] == "false"
    assert attributes["access_logs.s3.enabled"] == "true"
    bucket = attributes["access_logs.s3.bucket"]
    assert bucket.startswith("s3-payments-alb-logs-") and bucket.endswith("-" + env_suffix)

    # The bucket: encrypted, private, expiring, writable by the ELB log delivery only under the prefix, TLS only.
    s3 = emulator.client("s3")
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert any(r.get("Expiration", {}).get("Days") == RETENTION_7_YEARS for r in lifecycle)
    policy = policy_document(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    statements = {st["Sid"]: st for st in policy["Statement"]}
    assert statements["AllowLoadBalancerAccessLogs"]["Action"] == "s3:PutObject"
    assert statements["AllowLoadBalancerAccessLogs"]["Resource"].endswith("/alb/AWSLogs/%s/*" % emulator_account(emulator))
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}

    # Target groups: ip targets on the app port, /health.
    groups = {g["TargetGroupName"]: g for g in elbv2.describe_target_groups()["TargetGroups"]}
    for colour in ("blue", "green"):
        group = groups["tg-payments-%s-%s" % (colour, env_suffix)]
        assert group["TargetType"] == "ip" and group["Port"] == 8080 and group["HealthCheckPath"] == "/health"
        assert group["VpcId"] == network["vpc_id"]

    # Without a certificate: one HTTP listener forwarding to both colours with weights, stickiness explicit.
    (listener,) = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    assert listener["Protocol"] == "HTTP" and listener["Port"] == 80
    forward = listener["DefaultActions"][0]["ForwardConfig"]
    assert len(forward["TargetGroups"]) == 2
    assert listener_weights(emulator, env_suffix) == {"blue": 100, "green": 0}

    # WAF: associated with the load balancer, SQL keywords (URL decode + lowercase), SQLi, XSS, rate limit, logging.
    waf = emulator.client("wafv2")
    acl_summary = waf.get_web_acl_for_resource(ResourceArn=alb["LoadBalancerArn"])["WebACL"]
    assert acl_summary["Name"] == "waf-payments-%s" % env_suffix
    rules = {r["Name"]: r for r in acl_summary["Rules"]}
    sql = rules["block-sql-keywords"]["Statement"]["RegexMatchStatement"]
    assert sql["FieldToMatch"] == {"AllQueryArguments": {}}
    assert [t["Type"] for t in sorted(sql["TextTransformations"], key=lambda t: t["Priority"])] == ["URL_DECODE", "LOWERCASE"]
    assert "select" in sql["RegexString"]
    assert "Block" in rules["block-sql-keywords"]["Action"]
    managed = {r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in rules.values()
               if "ManagedRuleGroupStatement" in r["Statement"]}
    assert managed == {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet"}
    xss = [r for r in rules.values() if "XssMatchStatement" in r["Statement"]]
    assert sorted(next(iter(r["Statement"]["XssMatchStatement"]["FieldToMatch"])) for r in xss) == ["Body", "QueryString"]
    rate = [r for r in rules.values() if "RateBasedStatement" in r["Statement"]]
    assert rate and rate[0]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    logging = waf.get_logging_configuration(ResourceArn=acl_summary["ARN"])["LoggingConfiguration"]
    waf_group = "aws-waf-logs-payments-%s" % env_suffix
    assert [d.rsplit(":log-group:", 1)[1] for d in logging["LogDestinationConfigs"]] == [waf_group]
    group = log_group(emulator, waf_group)
    assert group["retentionInDays"] == RETENTION_7_YEARS and group["kmsKeyId"]

    # The release-gating alarms page the alerts topic.
    alarms = {a["AlarmName"]: a for a in emulator.client("cloudwatch").describe_alarms(
        AlarmNamePrefix="alarm-payments-alb-")["MetricAlarms"] if a["AlarmName"].endswith("-" + env_suffix)}
    assert len(alarms) == 2
    for alarm in alarms.values():
        assert alarm["AlarmActions"] and alarm["AlarmActions"][0].endswith(":sns-payments-alerts-%s" % env_suffix)
    return alb


def emulator_account(emulator) -> str:
    return emulator.client("sts").get_caller_identity()["Account"]


def assert_compute_state(emulator, env_suffix: str, network: dict, cluster: dict) -> None:
    """R30-R33 read back: repository, cluster, task definitions, services and autoscaling."""
    ecr = emulator.client("ecr")
    (repository,) = ecr.describe_repositories(repositoryNames=["ecr-payments-app-%s" % env_suffix])["repositories"]
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["imageScanningConfiguration"]["scanOnPush"] is True
    assert repository["encryptionConfiguration"]["encryptionType"] == "KMS"
    tags = {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"]}
    assert tags["Environment"] == env_suffix and tags["Tier"] == "compute", tags
    lifecycle = json.loads(ecr.get_lifecycle_policy(repositoryName=repository["repositoryName"])["lifecyclePolicyText"])
    assert {r["selection"]["tagStatus"] for r in lifecycle["rules"]} == {"untagged", "any"}

    ecs = emulator.client("ecs")
    (ecs_cluster,) = ecs.describe_clusters(clusters=["ecs-payments-%s" % env_suffix], include=["SETTINGS"])["clusters"]
    assert {"name": "containerInsights", "value": "enabled"} in ecs_cluster["settings"]

    services = ecs.describe_services(cluster=ecs_cluster["clusterArn"], services=[
        "svc-payments-blue-%s" % env_suffix, "svc-payments-green-%s" % env_suffix])["services"]
    assert len(services) == 2
    groups = {g["TargetGroupName"]: g["TargetGroupArn"] for g in emulator.client("elbv2").describe_target_groups()["TargetGroups"]}
    secret_arn = cluster["MasterUserSecret"]["SecretArn"]
    iam = emulator.client("iam")
    for service in services:
        colour = service["serviceName"].split("-")[2]
        network_config = service["networkConfiguration"]["awsvpcConfiguration"]
        assert sorted(network_config["subnets"]) == sorted(network["private_subnets"])
        assert network_config["securityGroups"] == [network["app_sg"]]
        assert network_config["assignPublicIp"] == "DISABLED"
        assert service["launchType"] == "FARGATE"
        assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        (balancer,) = service["loadBalancers"]
        assert balancer["targetGroupArn"] == groups["tg-payments-%s-%s" % (colour, env_suffix)]
        assert balancer["containerName"] == "app" and balancer["containerPort"] == 8080

        definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        assert definition["requiresCompatibilities"] == ["FARGATE"] and definition["networkMode"] == "awsvpc"
        assert (definition["cpu"], definition["memory"]) == ("1024", "2048")
        containers = {c["name"]: c for c in definition["containerDefinitions"]}
        assert set(containers) == {"app", "xray-daemon"}
        app = containers["app"]
        assert app["image"] == "%s:1.0.0" % repository["repositoryUri"]
        environment = {e["name"]: e["value"] for e in app["environment"]}
        assert environment["PGSSLMODE"] == "verify-full" and environment["DB_HOST"] == cluster["Endpoint"]
        assert not any(secret_word in name for name in environment for secret_word in ("PASSWORD", "USERNAME"))
        assert {s["name"]: s["valueFrom"] for s in app["secrets"]} == {
            "DB_USERNAME": secret_arn + ":username::", "DB_PASSWORD": secret_arn + ":password::"}
        assert app["readonlyRootFilesystem"] is True and app["user"] == "10001:10001"
        assert app["logConfiguration"]["logDriver"] == "awslogs"
        assert app["logConfiguration"]["options"]["awslogs-group"] == "/ecs/payments-%s" % env_suffix
        assert app["healthCheck"]["command"][0] == "CMD-SHELL"

        # Execution and task roles: separate, least privilege, no wildcard grants.
        execution_role = definition["executionRoleArn"].rsplit("/", 1)[1]
        task_role = definition["taskRoleArn"].rsplit("/", 1)[1]
        assert execution_role != task_role
        for role in (execution_role, task_role):
            for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
                document = policy_document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
                assert wildcard_grants(document) == [], (role, document)
        execution = policy_document(iam.get_role_policy(RoleName=execution_role, PolicyName="ecs-execution")["PolicyDocument"])
        by_sid = {st["Sid"]: st for st in execution["Statement"]}
        assert by_sid["PullFromThisRepository"]["Resource"] == repository["repositoryArn"]
        assert by_sid["ReadTheApplicationSecrets"]["Resource"] == [secret_arn]

    group = log_group(emulator, "/ecs/payments-%s" % env_suffix)
    assert group["retentionInDays"] == RETENTION_7_YEARS and group["kmsKeyId"]

    # Autoscaling: blue (live) at least 2, both colours track CPU 70 and memory 80.
    scaling = emulator.client("application-autoscaling")
    targets = {t["ResourceId"]: t for t in scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
               if t["ResourceId"].endswith("-" + env_suffix)}
    assert targets["service/ecs-payments-%s/svc-payments-blue-%s" % (env_suffix, env_suffix)]["MinCapacity"] >= 2
    assert {t["MaxCapacity"] for t in targets.values()} == {24}
    policies = scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    for resource_id in targets:
        tracked = {p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"]:
                   p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
                   for p in policies if p["ResourceId"] == resource_id}
        assert tracked == {"ECSServiceAverageCPUUtilization": 70.0, "ECSServiceAverageMemoryUtilization": 80.0}
