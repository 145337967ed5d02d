package collect

// The three generic helpers below are the only code in the package that
// talks to an SDK operation. Every registry entry builds its Runner from one
// of them (or from a counted escape hatch in registry.go), so a new call is
// one record (the checklist for a whole resource type is in
// analyze/model/doc.go):
//
//   - paged:  an operation with an SDK paginator (New<Op>Paginator); the one
//     and only `for p.HasMorePages()` loop in the package lives in pages.
//   - single: an operation that is not paginated (a method expression such as
//     (*ec2.Client).DescribeKeyPairs).
//   - tokens: an operation that paginates with a token but has no SDK
//     paginator (dynamodb ListTagsOfResource).
//
// Type parameters are inferred from the SDK function passed in, so the
// compiler proves that the operation exists and that the input builder and the
// parent-key extractor use the operation's own types.

import (
	"context"
	"fmt"
	"reflect"
)

// Runner runs one operation of one SDK client, page by page. It is built by
// paged, single or tokens; its zero value is invalid.
type Runner struct {
	in, out reflect.Type // the SDK input and output struct types (not pointers)
	// newInput builds the request input for one invocation (key is the
	// parent key; "" for top-level calls).
	newInput func(key string) any
	// run sends the request(s) and hands each decoded page to emit.
	run func(ctx context.Context, client any, in any, emit emitFunc) error
}

// emitFunc receives one decoded output page (a pointer to the SDK output
// struct). An error it returns stops the invocation and is returned as is.
type emitFunc func(out any) error

// pager is the method set every SDK paginator has.
type pager[Out, O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*O)) (*Out, error)
}

// paged builds a Runner from an SDK paginator constructor, e.g.
// paged(ec2.NewDescribeInstancesPaginator, none).
func paged[A, In, PO, Out, O any, P pager[Out, O]](newPager func(A, *In, ...func(*PO)) P, input func(key string) *In) Runner {
	return runner[A, In, Out](input, func(ctx context.Context, api A, in *In, emit emitFunc) error {
		return pages(ctx, newPager(api, in), emit)
	})
}

// pages drains an SDK paginator, one emit per page.
func pages[Out, O any, P pager[Out, O]](ctx context.Context, p P, emit emitFunc) error {
	for p.HasMorePages() {
		if err := ctx.Err(); err != nil {
			return err
		}
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		if err := emit(out); err != nil {
			return err
		}
	}
	return nil
}

// single builds a Runner for a non-paginated operation from its method
// expression, e.g. single((*ec2.Client).DescribeKeyPairs, none).
func single[C, In, Out, O any](call func(C, context.Context, *In, ...func(*O)) (*Out, error), input func(key string) *In) Runner {
	return runner[C, In, Out](input, func(ctx context.Context, api C, in *In, emit emitFunc) error {
		out, err := call(api, ctx, in)
		if err != nil {
			return err
		}
		return emit(out)
	})
}

// tokens builds a Runner for an operation that pages with a token but has no
// SDK paginator: next reads the token from a page, set writes it into the
// next request. A repeated token ends the loop (as the SDK paginators do).
func tokens[C, In, Out, O any](call func(C, context.Context, *In, ...func(*O)) (*Out, error), input func(key string) *In,
	next func(*Out) *string, set func(*In, *string)) Runner {
	return runner[C, In, Out](input, func(ctx context.Context, api C, in *In, emit emitFunc) error {
		req := *in // a copy: the caller's input stays token-free
		seen := map[string]bool{}
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			out, err := call(api, ctx, &req)
			if err != nil {
				return err
			}
			if err := emit(out); err != nil {
				return err
			}
			tok := next(out)
			if tok == nil || *tok == "" || seen[*tok] {
				return nil
			}
			seen[*tok] = true
			set(&req, tok)
		}
	})
}

// runner wraps a typed run function: it resolves the client to the API type
// the operation needs and the input to its SDK type.
func runner[C, In, Out any](input func(key string) *In, run func(ctx context.Context, api C, in *In, emit emitFunc) error) Runner {
	return Runner{
		in:       typeOf[In](),
		out:      typeOf[Out](),
		newInput: func(key string) any { return input(key) },
		run: func(ctx context.Context, client any, in any, emit emitFunc) error {
			api, err := clientAs[C](client)
			if err != nil {
				return err
			}
			params, ok := in.(*In)
			if !ok {
				return fmt.Errorf("internal: input %T is not %v", in, typeOf[*In]())
			}
			return run(ctx, api, params, emit)
		},
	}
}

// none is the input builder of calls that take no parameters.
func none[In any](string) *In { return new(In) }

// field is the input builder of per-parent calls that take the parent key
// in one *string field of their input: field[lambda.GetPolicyInput]("FunctionName").
// (The registry test checks that every per-parent call's input carries its
// key; a type without the field gets no key and the call fails with a
// validation error, never a panic.)
func field[In any](name string) func(key string) *In {
	return func(key string) *In {
		in := new(In)
		if f := reflect.ValueOf(in).Elem().FieldByName(name); f.IsValid() && f.Type() == reflect.TypeFor[*string]() {
			f.Set(reflect.ValueOf(&key))
		}
		return in
	}
}

// fieldList is the input builder of per-parent calls that take a list of
// keys in one []string field and are asked about one parent at a time:
// fieldList[elasticloadbalancingv2.DescribeTagsInput]("ResourceArns").
func fieldList[In any](name string) func(key string) *In {
	return func(key string) *In {
		in := new(In)
		if f := reflect.ValueOf(in).Elem().FieldByName(name); f.IsValid() && f.Type() == reflect.TypeFor[[]string]() {
			f.Set(reflect.ValueOf([]string{key}))
		}
		return in
	}
}

// bucket is the input builder of S3 per-bucket calls: field "Bucket".
func bucket[In any](name string) *In { return field[In]("Bucket")(name) }

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

func clientAs[A any](client any) (A, error) {
	api, ok := client.(A)
	if !ok {
		var zero A
		return zero, fmt.Errorf("internal: client %T does not implement %v", client, typeOf[A]())
	}
	return api, nil
}
