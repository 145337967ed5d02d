package snapaudit.rules.acme.s3_versioning_test

# The engine skips _test.rego files; this one would not even compile against it.
test_fail_something if undefined_function_for_the_engine(1)
