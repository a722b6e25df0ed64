#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: metric_alarms
version_added: 0.3.0
short_description: Manage a set of CloudWatch metric alarms in one task
description:
  - Creates, updates and deletes several Amazon CloudWatch metric alarms in a single module run,
    alarms on one metric (with a statistic or an extended statistic such as V(p99)), metric math
    alarms (O(alarms[].metrics)) and anomaly detection alarms (O(alarms[].threshold_metric_id)).
  - The current alarms are read with one C(DescribeAlarms) call for all the listed names (100 names
    per call), plus one call with C(AlarmNamePrefix) when O(purge_prefix) is set.
  - Each listed alarm is compared with the current one after both are normalised (AWS defaults made
    explicit, dimensions compared as a set, metric data queries compared in order with
    C(ReturnData) defaulting to true, thresholds as floats), so a metric math alarm that is already
    as asked reports no change, unlike M(amazon.aws.cloudwatch_metric_alarm).
    C(PutMetricAlarm) is only called for the alarms that differ.
  - C(PutMetricAlarm) replaces the whole alarm, so each entry of O(alarms) describes the complete
    alarm; an option that is left out gets the AWS default (for example no O(alarms[].ok_actions)).
  - All the parameters are validated before any AWS call; the error message lists every problem.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  alarms:
    description:
      - The alarms.
      - Required with O(state=present); with O(state=absent) only O(alarms[].name) is used.
      - Names must be unique.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The name of the alarm, 1 to 255 characters, unique within the account and region.
        type: str
        required: true
      description:
        description:
          - The description of the alarm, at most 1024 characters.
        type: str
      namespace:
        description:
          - The namespace of the metric of an alarm on a single metric, for example V(AWS/ApplicationELB).
          - Required, with O(alarms[].metric_name), unless O(alarms[].metrics) is used.
        type: str
      metric_name:
        description:
          - The name of the metric of an alarm on a single metric, for example V(TargetResponseTime).
        type: str
      dimensions:
        description:
          - The dimensions of the metric, as a dictionary of dimension names and values, for example
            C(LoadBalancer) V(app/alb-payments/0123456789abcdef).
          - The order does not matter; at most 30.
          - In check mode a value whose last part is V(pending-check-mode) (derived from a resource an
            earlier task only predicted) is accepted; otherwise it is an error.
        type: dict
      statistic:
        description:
          - The statistic of an alarm on a single metric.
          - Exactly one of O(alarms[].statistic) and O(alarms[].extended_statistic) is required
            for an alarm on a single metric.
        type: str
        choices: ["SampleCount", "Average", "Sum", "Minimum", "Maximum"]
      extended_statistic:
        description:
          - The extended statistic of an alarm on a single metric.
          - A percentile (V(p99), V(p99.9)), a trimmed mean, winsorized mean, trimmed count or trimmed sum
            (V(tm90), V(wm99), V(tc90), V(ts90), V(tm(10%:90%)), V(TM(0.5:2))), a percentile rank
            (V(PR(:300))) or V(IQM).
        type: str
      period:
        description:
          - The length of one evaluation period of an alarm on a single metric, in seconds.
          - V(10), V(20), V(30) or a multiple of V(60).
          - Required for an alarm on a single metric; with O(alarms[].metrics) the period is given in
            each O(alarms[].metrics[].metric_stat).
          - O(alarms[].evaluation_periods) times the period may be at most one day (seven days for
            periods of an hour or more).
        type: int
      unit:
        description:
          - The unit of the metric of an alarm on a single metric. When omitted, data in any unit is evaluated.
        type: str
        choices: ["Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
                  "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
                  "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
                  "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
                  "Count/Second", "None"]
      metrics:
        description:
          - The metric data queries of a metric math alarm or of an anomaly detection alarm.
          - Not allowed together with O(alarms[].namespace), O(alarms[].metric_name),
            O(alarms[].dimensions), O(alarms[].statistic), O(alarms[].extended_statistic),
            O(alarms[].period) and O(alarms[].unit).
          - Exactly one query has O(alarms[].metrics[].return_data=true), the result the alarm watches.
            An anomaly detection alarm has two, the metric and the band of O(alarms[].threshold_metric_id).
          - Compared in order.
        type: list
        elements: dict
        suboptions:
          id:
            description:
              - The short name of the query, used in expressions. Starts with a lowercase letter and
                holds only letters, digits and underscores; unique within the alarm.
            type: str
            required: true
          expression:
            description:
              - A metric math expression, for example V(errors / requests * 100) or
                V(ANOMALY_DETECTION_BAND(m1, 2)).
              - Exactly one of O(alarms[].metrics[].expression) and O(alarms[].metrics[].metric_stat) is required.
            type: str
          label:
            description:
              - A label for the result of the query.
            type: str
          return_data:
            description:
              - Whether the result of this query is what the alarm evaluates.
              - Defaults to V(true), as in AWS; set it to V(false) on every query that only feeds an expression.
            type: bool
          period:
            description:
              - The period of an expression query, in seconds (10, 20, 30 or a multiple of 60).
              - For a O(alarms[].metrics[].metric_stat) query give the period in the metric_stat; a period
                given here is used as O(alarms[].metrics[].metric_stat.period) when that is omitted.
            type: int
          account_id:
            description:
              - The account of the metric, for a cross-account alarm.
            type: str
          metric_stat:
            description:
              - A metric and the statistic over it.
            type: dict
            suboptions:
              metric:
                description:
                  - The metric. Required.
                type: dict
                suboptions:
                  namespace:
                    description:
                      - The namespace of the metric. Required.
                    type: str
                  metric_name:
                    description:
                      - The name of the metric. Required.
                    type: str
                  dimensions:
                    description:
                      - The dimensions of the metric; the order does not matter.
                    type: list
                    elements: dict
                    suboptions:
                      name:
                        description:
                          - The name of the dimension.
                        type: str
                        required: true
                      value:
                        description:
                          - The value of the dimension.
                        type: str
                        required: true
              period:
                description:
                  - The period in seconds (10, 20, 30 or a multiple of 60). Required, here or in
                    O(alarms[].metrics[].period).
                type: int
              stat:
                description:
                  - The statistic, one of V(SampleCount), V(Average), V(Sum), V(Minimum), V(Maximum) or an
                    extended statistic such as V(p99). Required.
                type: str
              unit:
                description:
                  - The unit of the metric.
                type: str
                choices: ["Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
                          "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
                          "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
                          "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
                          "Terabits/Second", "Count/Second", "None"]
      comparison:
        description:
          - How the statistic is compared with the threshold.
          - The last three are for anomaly detection alarms (O(alarms[].threshold_metric_id)) and only for them.
          - Required.
        type: str
        aliases: ["comparison_operator"]
        choices:
          - GreaterThanThreshold
          - GreaterThanOrEqualToThreshold
          - LessThanThreshold
          - LessThanOrEqualToThreshold
          - LessThanLowerOrGreaterThanUpperThreshold
          - LessThanLowerThreshold
          - GreaterThanUpperThreshold
      threshold:
        description:
          - The value the statistic is compared with.
          - Required, unless O(alarms[].threshold_metric_id) is used (and then not allowed).
        type: float
      threshold_metric_id:
        description:
          - The O(alarms[].metrics[].id) of the C(ANOMALY_DETECTION_BAND) expression of an anomaly
            detection alarm.
        type: str
      evaluation_periods:
        description:
          - The number of most recent periods evaluated. At least 1. Required.
        type: int
      datapoints_to_alarm:
        description:
          - The number of breaching data points (among O(alarms[].evaluation_periods)) that trigger the alarm.
          - Defaults to O(alarms[].evaluation_periods), as in AWS; may not be more.
        type: int
      treat_missing_data:
        description:
          - How periods without data are treated.
        type: str
        choices: ["breaching", "notBreaching", "ignore", "missing"]
        default: "missing"
      evaluate_low_sample_count_percentile:
        description:
          - For a percentile O(alarms[].extended_statistic) only. With V(ignore) the alarm state does not change
            during periods with too few data points to be statistically significant.
          - Defaults to V(evaluate) for percentiles, as in AWS.
        type: str
        choices: ["evaluate", "ignore"]
      alarm_actions:
        description:
          - The ARNs of the actions run when the alarm goes to the V(ALARM) state (SNS topics, Auto Scaling
            policies, EC2 actions, Lambda functions...), at most 5; the order does not matter.
          - In check mode an ARN whose last part is V(pending-check-mode) (a resource an earlier task only
            predicted) is accepted; otherwise it is an error.
        type: list
        elements: str
      ok_actions:
        description:
          - The ARNs of the actions run when the alarm goes to the V(OK) state, as O(alarms[].alarm_actions).
        type: list
        elements: str
      insufficient_data_actions:
        description:
          - The ARNs of the actions run when the alarm goes to the V(INSUFFICIENT_DATA) state, as
            O(alarms[].alarm_actions).
        type: list
        elements: str
      actions_enabled:
        description:
          - Whether the actions run when the alarm changes state.
        type: bool
        default: true
      tags:
        description:
          - Tags of this alarm, merged over O(tags) (the values given here win).
          - When neither O(tags) nor O(alarms[].tags) is set, the tags of an existing alarm are left alone.
        type: dict
  tags:
    description:
      - Tags applied to every alarm listed in O(alarms), merged with O(alarms[].tags).
    type: dict
    aliases: ["resource_tags"]
  purge_tags:
    description:
      - If O(purge_tags=true) and tags are set for an alarm, its other tags are removed.
    type: bool
    default: true
  purge_prefix:
    description:
      - Delete the alarms whose name starts with this prefix and that are not listed in O(alarms),
        so that a role can own a whole family of alarms (for example V(payments-dev-)).
      - With O(state=absent) every alarm whose name starts with the prefix is deleted, with the listed
        ones; O(alarms) may then be omitted.
      - Must not be empty.
    type: str
  state:
    description:
      - Whether the listed alarms should exist.
    type: str
    choices: ["present", "absent"]
    default: "present"
notes:
  - A run that changes nothing makes one C(DescribeAlarms) call (one per 100 names, plus one with
    O(purge_prefix)) and one C(ListTagsForResource) call per existing listed alarm, and no other call.
  - Changes are made with one C(PutMetricAlarm) call per new or different alarm (a new alarm gets
    its tags in that call), C(TagResource) and C(UntagResource) per alarm whose tags differ, one
    C(DeleteAlarms) call per 100 alarms to delete, and one more C(DescribeAlarms) call to return
    the alarms that were put.
  - In check mode nothing is changed and RV(alarms) holds the predicted alarms. The ARN of an alarm
    that would be created is built from the ARN of another alarm, or from the account read with
    C(sts:GetCallerIdentity) when no alarm of the task exists yet.
  - Supports check mode and diff mode; the diff is keyed by alarm name.
  - Composite alarms are not managed.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Alarms of the payments load balancer and service
  fintech.payment_platform.metric_alarms:
    purge_prefix: payments-prod-
    tags:
      Environment: prod
    alarms:
      - name: payments-prod-alb-p99-latency
        description: p99 target response time above 1.5 s
        namespace: AWS/ApplicationELB
        metric_name: TargetResponseTime
        dimensions:
          LoadBalancer: app/alb-payments-prod/0123456789abcdef
        extended_statistic: p99
        period: 60
        evaluation_periods: 5
        datapoints_to_alarm: 3
        comparison: GreaterThanThreshold
        threshold: 1.5
        alarm_actions: [arn:aws:sns:eu-west-1:123456789012:payments-alerts]
        ok_actions: [arn:aws:sns:eu-west-1:123456789012:payments-alerts]
      - name: payments-prod-alb-5xx-rate
        description: More than 5 % of the requests fail with a 5xx
        metrics:
          - id: errors
            metric_stat:
              metric:
                namespace: AWS/ApplicationELB
                metric_name: HTTPCode_Target_5XX_Count
                dimensions:
                  - name: LoadBalancer
                    value: app/alb-payments-prod/0123456789abcdef
              period: 60
              stat: Sum
            return_data: false
          - id: requests
            metric_stat:
              metric:
                namespace: AWS/ApplicationELB
                metric_name: RequestCount
                dimensions:
                  - name: LoadBalancer
                    value: app/alb-payments-prod/0123456789abcdef
              period: 60
              stat: Sum
            return_data: false
          - id: rate
            expression: errors / requests * 100
            label: 5xx rate (%)
        evaluation_periods: 3
        comparison: GreaterThanThreshold
        threshold: 5
        treat_missing_data: notBreaching
        alarm_actions: [arn:aws:sns:eu-west-1:123456789012:payments-alerts]
      - name: payments-prod-ecs-at-max-capacity
        namespace: ECS/ContainerInsights
        metric_name: RunningTaskCount
        dimensions:
          ClusterName: payments-prod
          ServiceName: payments-api
        statistic: Maximum
        period: 300
        evaluation_periods: 3
        comparison: GreaterThanOrEqualToThreshold
        threshold: 10
        alarm_actions: [arn:aws:sns:eu-west-1:123456789012:payments-alerts]
        tags:
          Team: platform
  register: alarms

- name: Anomaly detection on the request count
  fintech.payment_platform.metric_alarms:
    alarms:
      - name: payments-prod-request-anomaly
        metrics:
          - id: m1
            metric_stat:
              metric:
                namespace: AWS/ApplicationELB
                metric_name: RequestCount
                dimensions:
                  - name: LoadBalancer
                    value: app/alb-payments-prod/0123456789abcdef
              period: 300
              stat: Sum
          - id: ad1
            expression: ANOMALY_DETECTION_BAND(m1, 2)
        threshold_metric_id: ad1
        comparison: LessThanLowerOrGreaterThanUpperThreshold
        evaluation_periods: 3

- name: Delete two alarms
  fintech.payment_platform.metric_alarms:
    state: absent
    alarms:
      - name: payments-prod-alb-p99-latency
      - name: payments-prod-alb-5xx-rate

- name: Delete every alarm of the family (teardown)
  fintech.payment_platform.metric_alarms:
    state: absent
    purge_prefix: payments-prod-
"""

RETURN = r"""
alarms:
  description:
    - The listed alarms after the module ran, in the order of O(alarms), or the predicted alarms in
      check mode; normalised as they are compared (AWS defaults explicit).
    - Empty with O(state=absent).
  returned: always
  type: list
  elements: dict
  contains:
    alarm_name:
      description: The name of the alarm.
      type: str
      returned: always
      sample: payments-prod-alb-p99-latency
    alarm_arn:
      description:
        - The ARN of the alarm.
        - In check mode, for an alarm that would be created, the ARN it would get.
      type: str
      returned: always
      sample: arn:aws:cloudwatch:eu-west-1:123456789012:alarm:payments-prod-alb-p99-latency
    alarm_description:
      description: The description, V(null) when there is none.
      type: str
      returned: always
      sample: p99 target response time above 1.5 s
    namespace:
      description: The namespace of the metric; V(null) for a metric math alarm.
      type: str
      returned: always
      sample: AWS/ApplicationELB
    metric_name:
      description: The name of the metric; V(null) for a metric math alarm.
      type: str
      returned: always
      sample: TargetResponseTime
    dimensions:
      description: The dimensions of the metric; V({}) for a metric math alarm.
      type: dict
      returned: always
      sample: {"LoadBalancer": "app/alb-payments-prod/0123456789abcdef"}
    statistic:
      description: The statistic, V(null) when an extended statistic or metric math is used.
      type: str
      returned: always
      sample: Sum
    extended_statistic:
      description: The extended statistic, V(null) when there is none.
      type: str
      returned: always
      sample: p99
    period:
      description: The period in seconds; V(null) for a metric math alarm.
      type: int
      returned: always
      sample: 60
    unit:
      description: The unit of the metric, V(null) when there is none.
      type: str
      returned: always
      sample: Seconds
    metrics:
      description:
        - The metric data queries of a metric math or anomaly detection alarm, in order; V([]) otherwise.
        - Each has the keys C(id), C(expression), C(metric_stat) (C(metric) with C(namespace),
          C(metric_name) and C(dimensions) as a list of C(name) / C(value) sorted by name; C(period),
          C(stat) and C(unit)), C(label), C(return_data), C(period) and C(account_id).
      type: list
      elements: dict
      returned: always
      sample:
        - id: errors
          expression: null
          metric_stat:
            metric:
              namespace: AWS/ApplicationELB
              metric_name: HTTPCode_Target_5XX_Count
              dimensions: [{"name": "LoadBalancer", "value": "app/alb-payments-prod/0123456789abcdef"}]
            period: 60
            stat: Sum
            unit: null
          label: null
          return_data: false
          period: null
          account_id: null
        - id: rate
          expression: errors / requests * 100
          metric_stat: null
          label: 5xx rate (%)
          return_data: true
          period: null
          account_id: null
    comparison_operator:
      description: The comparison operator.
      type: str
      returned: always
      sample: GreaterThanThreshold
    threshold:
      description: The threshold; V(null) for an anomaly detection alarm.
      type: float
      returned: always
      sample: 1.5
    threshold_metric_id:
      description: The id of the anomaly detection band; V(null) for other alarms.
      type: str
      returned: always
      sample: null
    evaluation_periods:
      description: The number of periods evaluated.
      type: int
      returned: always
      sample: 5
    datapoints_to_alarm:
      description: The number of breaching data points that trigger the alarm.
      type: int
      returned: always
      sample: 3
    treat_missing_data:
      description: How missing data is treated.
      type: str
      returned: always
      sample: missing
    evaluate_low_sample_count_percentile:
      description: For a percentile, V(evaluate) or V(ignore); V(null) for other statistics.
      type: str
      returned: always
      sample: evaluate
    alarm_actions:
      description: The actions of the V(ALARM) state, sorted.
      type: list
      elements: str
      returned: always
      sample: ["arn:aws:sns:eu-west-1:123456789012:payments-alerts"]
    ok_actions:
      description: The actions of the V(OK) state, sorted.
      type: list
      elements: str
      returned: always
      sample: []
    insufficient_data_actions:
      description: The actions of the V(INSUFFICIENT_DATA) state, sorted.
      type: list
      elements: str
      returned: always
      sample: []
    actions_enabled:
      description: Whether the actions are enabled.
      type: bool
      returned: always
      sample: true
    tags:
      description: The tags of the alarm.
      type: dict
      returned: always
      sample: {"Environment": "prod"}
    state_value:
      description:
        - The state of the alarm.
        - V(INSUFFICIENT_DATA) in check mode for an alarm that would be created.
      type: str
      returned: always
      sample: OK
alarm_arns:
  description: The ARN of each alarm of RV(alarms), by name.
  returned: always
  type: dict
  sample: {"payments-prod-alb-p99-latency": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:payments-prod-alb-p99-latency"}
deleted:
  description:
    - The names of the alarms deleted (in check mode, that would be deleted).
    - The listed ones with O(state=absent) first, then those matched by O(purge_prefix) in name order.
  returned: always
  type: list
  elements: str
  sample: ["payments-prod-old-alarm"]
diff:
  description: The listed alarms (and the deleted ones) before and after, keyed by name.
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The alarms before the module ran.
      returned: in diff mode
      type: dict
      sample: {"payments-prod-alb-5xx-rate": {"threshold": 5.0}}
    after:
      description: The alarms after the module ran.
      returned: in diff mode
      type: dict
      sample: {"payments-prod-alb-5xx-rate": {"threshold": 2.0}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import note_changes_made
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import COMPARISON_OPERATORS
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import LOW_SAMPLE_COUNT_CHOICES
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import STATISTICS
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import TREAT_MISSING_DATA
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import UNITS
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import alarm_arn_prefix
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import alarm_arns
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import build_desired_alarms
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import chunks
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import normalize_alarm
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import plan_alarms
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import refresh
from ansible_collections.fintech.payment_platform.plugins.module_utils.metric_alarms import validate_params

# DeleteAlarms answers ResourceNotFound, the tagging APIs ResourceNotFoundException
ALARM_NOT_FOUND = ["ResourceNotFound", "ResourceNotFoundException"]


class AnsibleMetricAlarmError(AnsibleAWSError):
    pass


class MetricAlarmErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleMetricAlarmError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(ALARM_NOT_FOUND)


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@MetricAlarmErrorHandler.common_error_handler("describe the alarms {names}")
@AWSRetry.jittered_backoff()
def _describe_alarms_by_names(client, names):
    paginator = client.get_paginator("describe_alarms")
    return paginator.paginate(AlarmNames=names, AlarmTypes=["MetricAlarm"]).build_full_result().get("MetricAlarms", [])


@MetricAlarmErrorHandler.common_error_handler("describe the alarms whose name starts with {prefix}")
@AWSRetry.jittered_backoff()
def describe_alarms_by_prefix(client, prefix):
    paginator = client.get_paginator("describe_alarms")
    return (
        paginator.paginate(AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm"])
        .build_full_result()
        .get("MetricAlarms", [])
    )


def describe_alarms_by_names(client, names):
    """The metric alarms called exactly *names* (one call per 100 names, none without names)."""
    found = []
    for batch in chunks(names):
        found.extend(_describe_alarms_by_names(client, batch))
    wanted = set(names)
    return [alarm for alarm in found if alarm.get("AlarmName") in wanted]


@MetricAlarmErrorHandler.list_error_handler("list the tags of alarm {arn}", {})
@AWSRetry.jittered_backoff()
def list_alarm_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceARN=arn).get("Tags", []))


@MetricAlarmErrorHandler.common_error_handler("put alarm {name}")
@AWSRetry.jittered_backoff()
def put_metric_alarm(client, name, request):
    client.put_metric_alarm(**request)
    return True


@MetricAlarmErrorHandler.common_error_handler("tag alarm {arn}")
@AWSRetry.jittered_backoff()
def tag_alarm(client, arn, tags):
    if not tags:
        return False
    client.tag_resource(ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@MetricAlarmErrorHandler.common_error_handler("untag alarm {arn}")
@AWSRetry.jittered_backoff()
def untag_alarm(client, arn, tag_keys):
    if not tag_keys:
        return False
    client.untag_resource(ResourceARN=arn, TagKeys=list(tag_keys))
    return True


@MetricAlarmErrorHandler.common_error_handler("delete the alarms {names}")
@AWSRetry.jittered_backoff()
def _delete_alarm_batch(client, names):
    try:
        client.delete_alarms(AlarmNames=names)
    except is_boto3_error_code("ResourceNotFound"):
        # AWS deletes none of the batch when one of the names does not exist
        return False
    return True


def delete_alarms(client, names):
    """Delete the alarms (100 per call); return the names deleted, not those that were already gone."""
    deleted = []
    for batch in chunks(names):
        if _delete_alarm_batch(client, batch):
            deleted.extend(batch)
        elif len(batch) > 1:
            # One of them went away meanwhile: delete the others one by one
            for name in batch:
                if _delete_alarm_batch(client, [name]):
                    deleted.append(name)
    return deleted


@MetricAlarmErrorHandler.common_error_handler("read the account of the caller")
@AWSRetry.jittered_backoff()
def get_caller_identity(sts_client):
    return sts_client.get_caller_identity()


# ---------------------------------------------------------------------------
# Reading, applying
# ---------------------------------------------------------------------------


def read_alarms(client, names, purge_prefix=None):
    """(raw alarms by name, names of the family) for the listed *names* and the alarms starting with *purge_prefix*.

    The listed names that start with the prefix are found by the prefix query, so
    they are not asked for again by name.
    """
    raw_by_name = {}
    family = None
    if purge_prefix:
        family_alarms = describe_alarms_by_prefix(client, purge_prefix)
        family = [alarm["AlarmName"] for alarm in family_alarms if alarm["AlarmName"].startswith(purge_prefix)]
        raw_by_name.update((alarm["AlarmName"], alarm) for alarm in family_alarms)
    other_names = [name for name in names if not (purge_prefix and name.startswith(purge_prefix))]
    raw_by_name.update((alarm["AlarmName"], alarm) for alarm in describe_alarms_by_names(client, other_names))
    return raw_by_name, family


def current_alarms(client, raw_by_name, names):
    """name -> normalised alarm (with its tags) for the listed *names* that exist."""
    current = {}
    for name in names:
        raw = raw_by_name.get(name)
        if raw:
            current[name] = normalize_alarm(raw, list_alarm_tags(client, raw["AlarmArn"]))
    return current


def predicted_arn_prefix(module, raw_by_name, plan_needs_arn):
    """``arn:...:alarm:`` for new alarms: from any alarm read, else (check mode only) from the caller's account."""
    for raw in raw_by_name.values():
        prefix = alarm_arn_prefix(raw.get("AlarmArn"))
        if prefix:
            return prefix
    if not plan_needs_arn:
        return None
    identity = get_caller_identity(module.client("sts", retry_decorator=AWSRetry.jittered_backoff()))
    partition = identity["Arn"].split(":")[1]
    return f"arn:{partition}:cloudwatch:{module.region}:{identity['Account']}:alarm:"


def deleted_alarm_views(client, plan, raw_by_name, current):
    """name -> normalised alarm (with its tags) for the alarms of the plan that are deleted, for --diff."""
    views = {}
    for name in plan["delete"]:
        if name in current:
            views[name] = current[name]
        elif name in raw_by_name:
            raw = raw_by_name[name]
            views[name] = normalize_alarm(raw, list_alarm_tags(client, raw["AlarmArn"]))
    return views


def apply_plan(client, plan):
    """Make the changes of *plan*; return the names deleted."""
    done = []
    try:
        for entry in plan["entries"]:
            if entry["put"]:
                put_metric_alarm(client, entry["name"], entry["put"])
                done.append(f"{'created' if entry['action'] == 'create' else 'updated'} {entry['name']}")
            if entry["tags_to_unset"] or entry["tags_to_set"]:
                arn = entry["current"]["alarm_arn"]
                untag_alarm(client, arn, entry["tags_to_unset"])
                tag_alarm(client, arn, entry["tags_to_set"])
                done.append(f"tagged {entry['name']}")
        deleted = delete_alarms(client, plan["delete"])
    except AnsibleAWSError as e:
        note_changes_made(e, done)
        raise
    return deleted


def main():
    dimension_options = dict(
        name=dict(type="str", required=True),
        value=dict(type="str", required=True),
    )
    metric_stat_options = dict(
        metric=dict(
            type="dict",
            options=dict(
                namespace=dict(type="str"),
                metric_name=dict(type="str"),
                dimensions=dict(type="list", elements="dict", options=dimension_options),
            ),
        ),
        period=dict(type="int"),
        stat=dict(type="str"),
        unit=dict(type="str", choices=list(UNITS)),
    )
    query_options = dict(
        id=dict(type="str", required=True),
        expression=dict(type="str"),
        label=dict(type="str"),
        return_data=dict(type="bool"),
        period=dict(type="int"),
        account_id=dict(type="str"),
        metric_stat=dict(type="dict", options=metric_stat_options),
    )
    alarm_options = dict(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        namespace=dict(type="str"),
        metric_name=dict(type="str"),
        dimensions=dict(type="dict"),
        statistic=dict(type="str", choices=list(STATISTICS)),
        extended_statistic=dict(type="str"),
        period=dict(type="int"),
        unit=dict(type="str", choices=list(UNITS)),
        metrics=dict(type="list", elements="dict", options=query_options),
        comparison=dict(type="str", choices=list(COMPARISON_OPERATORS), aliases=["comparison_operator"]),
        threshold=dict(type="float"),
        threshold_metric_id=dict(type="str"),
        evaluation_periods=dict(type="int"),
        datapoints_to_alarm=dict(type="int"),
        treat_missing_data=dict(type="str", choices=list(TREAT_MISSING_DATA), default="missing"),
        evaluate_low_sample_count_percentile=dict(type="str", choices=list(LOW_SAMPLE_COUNT_CHOICES)),
        alarm_actions=dict(type="list", elements="str"),
        ok_actions=dict(type="list", elements="str"),
        insufficient_data_actions=dict(type="list", elements="str"),
        actions_enabled=dict(type="bool", default=True),
        tags=dict(type="dict"),
    )
    argument_spec = dict(
        alarms=dict(type="list", elements="dict", options=alarm_options),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        purge_prefix=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    problem = validate_params(module.params, check_mode=module.check_mode)
    if problem:
        module.fail_json(msg=problem)

    state = module.params["state"]
    purge_prefix = module.params["purge_prefix"]
    desired = build_desired_alarms(module.params)
    names = [alarm["name"] for alarm in desired]
    client = module.client("cloudwatch", retry_decorator=AWSRetry.jittered_backoff())

    try:
        raw_by_name, family = read_alarms(client, names, purge_prefix)
        current = current_alarms(client, raw_by_name, names)
        needs_arn = module.check_mode and state == "present" and any(name not in current for name in names)
        arn_prefix = predicted_arn_prefix(module, raw_by_name, needs_arn)
        plan = plan_alarms(
            desired,
            current,
            family=family,
            state=state,
            purge_tags=module.params["purge_tags"],
            arn_prefix=arn_prefix,
        )
        # Read before deleting: the tags of a deleted alarm are gone with it
        deleted_alarms = deleted_alarm_views(client, plan, raw_by_name, current) if module._diff else {}
        results = [entry["predicted"] for entry in plan["entries"]]
        if module.check_mode:
            deleted = list(plan["delete"])
            changed = plan["changed"]
        else:
            deleted = apply_plan(client, plan)
            put_names = [entry["name"] for entry in plan["entries"] if entry["put"]]
            changed = bool(deleted) or any(entry["action"] in ("create", "update") for entry in plan["entries"])
            if put_names:
                # Report what AWS has now, falling back on the prediction
                latest = {raw["AlarmName"]: normalize_alarm(raw) for raw in describe_alarms_by_names(client, put_names)}
                results = refresh(results, latest)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)

    alarms = [alarm for alarm in results if alarm is not None]
    result = {
        "changed": changed,
        "alarms": alarms,
        "alarm_arns": alarm_arns(alarms),
        "deleted": deleted,
    }
    if module._diff:
        result["diff"] = build_diff(plan, results, deleted_alarms)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
