// Resources that terminate running jobs: Huawei Cloud MRS job executions, BlueKing NodeMan subscription tasks and YARN applications.
package termination
